/**
 * The bytes of a KV snapshot file (docs/architecture.md, "KV snapshots on disk"): a preamble with the key it was
 * made for and the token ids, then the rows in blocks of consecutive positions, each block laid out per layer as
 * the cache's copyRows gives them and followed by its CRC-32, so restoring reads one block at a time.
 */
import { crc32 } from 'node:zlib';
import type { KvCacheDtype } from '../../shared/protocol';
import type { KvGeometry, KvRows } from '../onnx/kvCache';

export const KV_SNAPSHOT_MAGIC = 'HEARTHKV';
export const KV_SNAPSHOT_FORMAT = 1;
export const KV_SNAPSHOT_EXTENSION = '.kv';
/** Positions per block: what one read and one appendRows take while restoring. */
export const BLOCK_POSITIONS = 128;
const DATA_ALIGNMENT = 64;
const ARRAY_ALIGNMENT = 8;
const CHECKSUM_BYTES = 8;

export interface KvSnapshotHeader {
  format: number;
  /** What the rows depend on, hashed (kvSnapshotKey.ts): a file under another key is never used. */
  modelKey: string;
  dtype: KvCacheDtype;
  geometry: KvGeometry;
  tokenCount: number;
  blockPositions: number;
}

/** Where a file's parts lie, from its header. */
export interface KvSnapshotLayout {
  header: KvSnapshotHeader;
  tokens: Int32Array;
  /** Byte offset of the first block. */
  dataStart: number;
  fileSize: number;
}

/** The arrays of one layer in a block, in file order, with their element counts for `count` positions. */
function layerArrays(geometry: KvGeometry, dtype: KvCacheDtype, count: number): { bytes: number; length: number }[] {
  const { numKvHeads: heads, headDim } = geometry;
  if (dtype === 'float32') {
    const length = heads * headDim * count;
    return [
      { bytes: 4, length },
      { bytes: 4, length },
    ];
  }
  return [
    { bytes: 1, length: heads * headDim * count },
    { bytes: 4, length: heads * count },
    { bytes: 1, length: heads * count * headDim },
    { bytes: 4, length: heads * count },
  ];
}

const alignUp = (value: number, alignment: number) => Math.ceil(value / alignment) * alignment;

/** Bytes of a block of `count` positions, its checksum excluded. */
export function blockPayloadBytes(geometry: KvGeometry, dtype: KvCacheDtype, count: number): number {
  const perLayer = layerArrays(geometry, dtype, count).reduce(
    (sum, array) => sum + alignUp(array.bytes * array.length, ARRAY_ALIGNMENT),
    0,
  );
  return perLayer * geometry.numLayers;
}

/** Positions of block `index` of a snapshot of `tokenCount` tokens. */
export function blockPositions(header: KvSnapshotHeader, index: number): number {
  return Math.min(header.blockPositions, header.tokenCount - index * header.blockPositions);
}

/** Byte offset of block `index`: every block before the last is full. */
export function blockOffset(layout: KvSnapshotLayout, index: number): number {
  const { header } = layout;
  return (
    layout.dataStart +
    index * (blockPayloadBytes(header.geometry, header.dtype, header.blockPositions) + CHECKSUM_BYTES)
  );
}

export function blockStride(header: KvSnapshotHeader, index: number): number {
  return blockPayloadBytes(header.geometry, header.dtype, blockPositions(header, index)) + CHECKSUM_BYTES;
}

export function blockCount(header: KvSnapshotHeader): number {
  return Math.ceil(header.tokenCount / header.blockPositions);
}

/** The preamble: magic, header length, header JSON, token ids, CRC-32 of all that, padded to the data start. */
export function encodePreamble(
  header: KvSnapshotHeader,
  tokens: Int32Array,
): { bytes: Buffer; layout: KvSnapshotLayout } {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const tokensAt = alignUp(12 + json.length, 4);
  const checksumAt = tokensAt + tokens.length * 4;
  const dataStart = alignUp(checksumAt + 4, DATA_ALIGNMENT);
  const bytes = Buffer.alloc(dataStart);
  bytes.write(KV_SNAPSHOT_MAGIC, 0, 'latin1');
  bytes.writeUInt32LE(json.length, 8);
  json.copy(bytes, 12);
  for (let i = 0; i < tokens.length; i++) bytes.writeInt32LE(tokens[i], tokensAt + i * 4);
  bytes.writeUInt32LE(crc32(bytes.subarray(0, checksumAt)), checksumAt);
  const layout: KvSnapshotLayout = { header, tokens, dataStart, fileSize: 0 };
  layout.fileSize = blockOffset(layout, blockCount(header) - 1) + blockStride(header, blockCount(header) - 1);
  return { bytes, layout };
}

/** Bytes before the header JSON: the magic and the header's length. */
export const PREAMBLE_FIXED_BYTES = 12;

/**
 * Reads a preamble (its first `PREAMBLE_FIXED_BYTES`, then the rest through `read`) and checks it: magic, format,
 * checksum, and that the file is exactly as long as its header says. Returns why it is unusable otherwise.
 */
export function decodePreamble(
  start: Buffer,
  read: (offset: number, length: number) => Buffer,
  fileSize: number,
): KvSnapshotLayout | { invalid: string } {
  if (start.length < PREAMBLE_FIXED_BYTES || start.toString('latin1', 0, 8) !== KV_SNAPSHOT_MAGIC)
    return { invalid: 'not a KV snapshot (bad magic)' };
  const jsonBytes = start.readUInt32LE(8);
  if (jsonBytes > 64 * 1024 || PREAMBLE_FIXED_BYTES + jsonBytes > fileSize) return { invalid: 'truncated header' };
  let header: KvSnapshotHeader;
  try {
    header = JSON.parse(read(PREAMBLE_FIXED_BYTES, jsonBytes).toString('utf8')) as KvSnapshotHeader;
  } catch {
    return { invalid: 'unreadable header' };
  }
  if (header.format !== KV_SNAPSHOT_FORMAT)
    return { invalid: `format ${String(header.format)}, not ${KV_SNAPSHOT_FORMAT}` };
  if (!Number.isInteger(header.tokenCount) || header.tokenCount < 1 || !(header.blockPositions >= 1))
    return { invalid: 'bad token count' };
  const tokensAt = alignUp(PREAMBLE_FIXED_BYTES + jsonBytes, 4);
  const checksumAt = tokensAt + header.tokenCount * 4;
  if (checksumAt + 4 > fileSize) return { invalid: 'truncated token ids' };
  const preamble = read(0, checksumAt + 4);
  if (crc32(preamble.subarray(0, checksumAt)) !== preamble.readUInt32LE(checksumAt))
    return { invalid: 'header checksum mismatch' };
  const tokens = new Int32Array(header.tokenCount);
  for (let i = 0; i < tokens.length; i++) tokens[i] = preamble.readInt32LE(tokensAt + i * 4);
  const layout: KvSnapshotLayout = { header, tokens, dataStart: alignUp(checksumAt + 4, DATA_ALIGNMENT), fileSize };
  const last = blockCount(header) - 1;
  const expected = blockOffset(layout, last) + blockStride(header, last);
  if (expected !== fileSize) return { invalid: `${fileSize} bytes, expected ${expected} (truncated or padded)` };
  return layout;
}

/** A block's bytes (payload then checksum) for rows of `count` positions, as copyRows returned them. */
export function encodeBlock(header: KvSnapshotHeader, rows: KvRows): Buffer {
  const { geometry, dtype } = header;
  const payload = blockPayloadBytes(geometry, dtype, rows.count);
  const bytes = Buffer.alloc(payload + CHECKSUM_BYTES);
  let at = 0;
  for (let layer = 0; layer < geometry.numLayers; layer++) {
    for (const array of layerOf(rows, layer)) {
      const view = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
      view.copy(bytes, at);
      at += alignUp(array.byteLength, ARRAY_ALIGNMENT);
    }
  }
  bytes.writeUInt32LE(crc32(bytes.subarray(0, payload)), payload);
  return bytes;
}

/**
 * The rows of a block read into `bytes` (at offset 0 of its own ArrayBuffer, so the views are aligned), viewing the
 * bytes without copying; undefined when its checksum does not match.
 */
export function decodeBlock(header: KvSnapshotHeader, index: number, bytes: Buffer): KvRows | undefined {
  const { geometry, dtype } = header;
  const count = blockPositions(header, index);
  const payload = blockPayloadBytes(geometry, dtype, count);
  if (crc32(bytes.subarray(0, payload)) !== bytes.readUInt32LE(payload)) return undefined;
  const arrays = layerArrays(geometry, dtype, count);
  const layers: (Float32Array | Int8Array)[][] = arrays.map(() => []);
  let at = bytes.byteOffset;
  for (let layer = 0; layer < geometry.numLayers; layer++) {
    arrays.forEach((array, role) => {
      const Type = array.bytes === 4 ? Float32Array : Int8Array;
      layers[role].push(new Type(bytes.buffer as ArrayBuffer, at, array.length));
      at += alignUp(array.bytes * array.length, ARRAY_ALIGNMENT);
    });
  }
  if (dtype === 'float32') return { keys: layers[0] as Float32Array[], values: layers[1] as Float32Array[], count };
  return {
    dtype: 'int8',
    keys: layers[0] as Int8Array[],
    keyScales: layers[1] as Float32Array[],
    values: layers[2] as Int8Array[],
    valueScales: layers[3] as Float32Array[],
    count,
  };
}

function layerOf(rows: KvRows, layer: number): (Float32Array | Int8Array)[] {
  if (rows.dtype === 'int8')
    return [rows.keys[layer], rows.keyScales[layer], rows.values[layer], rows.valueScales[layer]];
  return [rows.keys[layer], rows.values[layer]];
}

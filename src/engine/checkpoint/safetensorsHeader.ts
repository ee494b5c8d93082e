import { CheckpointError } from './checkpointError';
import { dtypeByteSize, elementCount, isSafetensorsDtype, type SafetensorsDtype } from './safetensorsDtype';

/** Where one tensor's bytes lie, after the header has been checked against the file. */
export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: readonly number[];
  /** Path of the .safetensors file that holds it (ONNX external data can point straight at it). */
  file: string;
  /** Absolute offset in the file (8-byte length prefix and header included). */
  byteOffset: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorInfo>;
  metadata: Readonly<Record<string, string>>;
}

/**
 * Parses and validates a safetensors header. `dataStart` is the absolute offset of the data section and
 * `dataLength` its length. Like the reference implementation, tensors must tile the data section exactly:
 * no overlap, no gap, nothing past the end; a file that fails is truncated, padded or forged.
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  dataStart: number,
  dataLength: number,
  file: string,
): SafetensorsHeader {
  const json = parseJson(headerBytes, file);
  let metadata: Record<string, string> = {};
  const entries: { info: TensorInfo; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(value, file);
      continue;
    }
    const { dtype, shape, begin, end } = parseEntry(name, value, file);
    if (end > dataLength) {
      const detail = `data ends at byte ${end} of a ${dataLength}-byte data section (file truncated?)`;
      throw new CheckpointError(detail, { file, tensor: name });
    }
    entries.push({
      info: { name, dtype, shape, file, byteOffset: dataStart + begin, byteLength: end - begin },
      begin,
      end,
    });
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: string | undefined;
  for (const { info, begin, end } of entries) {
    if (begin < covered) {
      throw new CheckpointError(`bytes [${begin}, ${end}) overlap tensor "${previous}"`, { file, tensor: info.name });
    }
    if (begin > covered) {
      throw new CheckpointError(`bytes [${covered}, ${begin}) before it belong to no tensor`, {
        file,
        tensor: info.name,
      });
    }
    covered = end;
    previous = info.name;
  }
  if (covered !== dataLength) {
    throw new CheckpointError(`${dataLength - covered} bytes after the last tensor belong to no tensor`, { file });
  }
  return { tensors: new Map(entries.map(({ info }) => [info.name, info])), metadata };
}

function parseJson(headerBytes: Uint8Array, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw new CheckpointError(`header is not valid JSON (${(error as Error).message})`, { file });
  }
  if (!isPlainObject(json)) throw new CheckpointError('header is not a JSON object', { file });
  return json;
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new CheckpointError('__metadata__ must map strings to strings', { file });
  }
  return value as Record<string, string>;
}

function parseEntry(
  name: string,
  value: unknown,
  file: string,
): { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number } {
  const fail = (detail: string): never => {
    throw new CheckpointError(detail, { file, tensor: name });
  };
  if (!isPlainObject(value)) return fail('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isSafetensorsDtype(dtype)) return fail(`unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
    return fail(`shape ${JSON.stringify(shape)} is not an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
    return fail(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  const count = elementCount(shape);
  const expected = count === undefined ? undefined : count * dtypeByteSize(dtype);
  if (expected === undefined || !Number.isSafeInteger(expected))
    return fail(`shape ${JSON.stringify(shape)} is too large`);
  if (end < begin || end - begin !== expected) {
    return fail(
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} ${JSON.stringify(shape)} needs ${expected}`,
    );
  }
  return { dtype, shape, begin, end };
}

function isNonNegativeInt(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

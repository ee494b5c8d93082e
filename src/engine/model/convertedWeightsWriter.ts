/**
 * Writes a converted-weights file atomically: everything goes to `<file>.tmp-<pid>-<random>` beside it, the
 * data is fsynced, and only then is it renamed into place. A conversion killed half-way leaves at most a
 * temporary file (which lookup never reads and the next write of that file removes), never a final file that
 * looks complete.
 */
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { ConvertedWeights, readExactly } from './convertedWeights';
import {
  alignUp,
  encodeHeader,
  TENSOR_ALIGNMENT,
  TENSOR_DTYPE_BYTES,
  tensorByteLength,
  type ConvertedTensor,
  type ConvertedTensorDtype,
} from './convertedWeightsFormat';

/** A tensor to store. `data` is written as its bytes in machine order. */
export interface TensorToWrite {
  name: string;
  dtype: ConvertedTensorDtype;
  shape: readonly number[];
  data: ArrayBufferView;
}

export interface WriteProgress {
  tensorsWritten: number;
  /** Tensor data written so far, alignment padding included. */
  bytesWritten: number;
  /** The tensor just written. */
  name: string;
}

/**
 * Space kept for the header before the first tensor. Qwen3-4B needs about 130 KB; past this the data is moved
 * up once. On file systems with sparse files the unused part costs nothing.
 */
export const DEFAULT_HEADER_RESERVE = 256 * 1024;
/** Chunk size when the data has to move to make room for a larger header. */
const MOVE_CHUNK_BYTES = 16 * 1024 * 1024;

export async function writeConvertedWeightsFile(
  path: string,
  key: string,
  tensors: AsyncIterable<TensorToWrite> | Iterable<TensorToWrite>,
  options: { headerReserve?: number; onProgress?: (progress: WriteProgress) => void; signal?: AbortSignal } = {},
): Promise<ConvertedWeights> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  // Only file-system errors become CacheUnwritable; the source's own errors pass through unchanged.
  const io = <T>(operation: Promise<T>): Promise<T> =>
    operation.catch((error: unknown) => {
      throw asCacheUnwritable(error, dirname(path));
    });
  let file: FileHandle | undefined = await io(open(temporary, 'wx+'));
  try {
    let dataStart = alignUp(Math.max(options.headerReserve ?? DEFAULT_HEADER_RESERVE, TENSOR_ALIGNMENT));
    const entries: ConvertedTensor[] = [];
    let end = dataStart;
    for await (const tensor of tensors) {
      options.signal?.throwIfAborted();
      const entry = describeTensor(tensor, alignUp(end));
      const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
      await io(file.write(bytes, 0, bytes.length, entry.offset));
      entries.push(entry);
      end = entry.offset + entry.length;
      options.onProgress?.({ tensorsWritten: entries.length, bytesWritten: end - dataStart, name: entry.name });
    }
    options.signal?.throwIfAborted();

    let header = encodeHeader({ key, dataStart, fileSize: end, tensors: entries });
    if (header.length > dataStart) {
      const shift = alignUp(header.length + header.length / 2) - dataStart;
      await io(moveUp(file, dataStart, end, shift));
      dataStart += shift;
      end += shift;
      for (const entry of entries) entry.offset += shift;
      header = encodeHeader({ key, dataStart, fileSize: end, tensors: entries });
    }
    await io(file.write(header, 0, header.length, 0));
    await io(file.truncate(end));
    await io(file.sync());
    await io(file.close());
    file = undefined;
    await io(rename(temporary, path));
    await syncDirectory(dirname(path));
    return new ConvertedWeights(path, key, entries);
  } catch (error) {
    await file?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Why a cache folder cannot take a file, by errno; anything else is not the cache folder's fault. */
const UNWRITABLE_REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EFBIG: 'the file is too large for the file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'part of the path is not a folder',
  EEXIST: 'the path exists and is not a folder',
};
const OUT_OF_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** The typed CacheUnwritable error for a file-system error in `directory`; other errors unchanged. */
export function asCacheUnwritable(error: unknown, directory: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !Object.hasOwn(UNWRITABLE_REASONS, code)) return error;
  const hint = OUT_OF_SPACE.has(code)
    ? `Free disk space there, or choose another cache folder with the hearth.cacheDir setting.`
    : `Choose a writable cache folder with the hearth.cacheDir setting.`;
  return new EngineError(
    EngineErrorCode.CacheUnwritable,
    `Cannot write converted weights to ${directory}: ${UNWRITABLE_REASONS[code]} (${code}).`,
    hint,
  );
}

function describeTensor(tensor: TensorToWrite, offset: number): ConvertedTensor {
  const { name, dtype, data } = tensor;
  const shape = [...tensor.shape];
  if (!Object.hasOwn(TENSOR_DTYPE_BYTES, dtype)) throw new TypeError(`Tensor ${name}: unknown dtype ${dtype}`);
  const length = tensorByteLength(dtype, shape);
  if (data.byteLength !== length)
    throw new RangeError(`Tensor ${name}: ${data.byteLength} bytes for ${dtype}[${shape.join(', ')}]`);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, dtype, shape, offset, length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Moves bytes [start, end) up by `shift`, last chunk first so nothing is overwritten before it is read. */
async function moveUp(file: FileHandle, start: number, end: number, shift: number): Promise<void> {
  const chunk = Buffer.alloc(Math.min(MOVE_CHUNK_BYTES, Math.max(1, end - start)));
  for (let chunkEnd = end; chunkEnd > start;) {
    const chunkStart = Math.max(start, chunkEnd - chunk.length);
    const view = chunk.subarray(0, chunkEnd - chunkStart);
    await readExactly(file, view, chunkStart);
    await file.write(view, 0, view.length, chunkStart + shift);
    chunkEnd = chunkStart;
  }
}

/** Makes the rename durable. Best effort: Windows cannot open a directory for this. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the rename is a nicety; the file itself is already synced.
  }
}

/**
 * Removes temporary files of earlier writes of `path` whose process is gone (killed conversions). Those of a
 * live process are another window converting the same model right now: left alone.
 */
export async function removeStaleTemporaries(path: string): Promise<void> {
  const prefix = `${basename(path)}.tmp-`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) {
      // Best effort: a leftover we cannot remove costs disk space, not correctness.
      await rm(join(dirname(path), name), { force: true }).catch(() => undefined);
    }
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

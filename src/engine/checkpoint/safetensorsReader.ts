import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CheckpointError } from './checkpointError';
import { parseSafetensorsHeader, type TensorInfo } from './safetensorsHeader';

export type { TensorInfo } from './safetensorsHeader';

/** The reference implementation refuses larger headers; so do we, before allocating anything. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** readSync takes at most 2 GiB at a time; large tensors are read in pieces. */
const MAX_READ_BYTES = 1 << 30;

/**
 * An open .safetensors file. The header is read and validated on open; tensor data is read on demand by
 * byte range, so a multi-gigabyte file never has to fit in memory at once.
 */
export class SafetensorsFile {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    /** File size and modification time at open, for cache keys. */
    readonly size: number,
    readonly mtimeMs: number,
    /** SHA-256 (hex) of the length prefix and header: changes whenever any tensor's layout changes. */
    readonly headerSha256: string,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {
    this.fd = fd;
  }

  static open(path: string): SafetensorsFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      throw new CheckpointError(`cannot open (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
        file: path,
      });
    }
    try {
      const { size, mtimeMs } = fstatSync(fd);
      if (size < 8)
        throw new CheckpointError(`file of ${size} bytes is too short for a safetensors header`, { file: path });
      const prefix = readExactly(fd, 0, 8, path);
      const headerLength = Number(Buffer.from(prefix.buffer, prefix.byteOffset, 8).readBigUInt64LE(0));
      if (headerLength > MAX_HEADER_BYTES) {
        throw new CheckpointError(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`, {
          file: path,
        });
      }
      if (8 + headerLength > size) {
        const detail = `header length ${headerLength} runs past the end of the ${size}-byte file (file truncated?)`;
        throw new CheckpointError(detail, { file: path });
      }
      const headerBytes = readExactly(fd, 8, headerLength, path);
      const { tensors, metadata } = parseSafetensorsHeader(
        headerBytes,
        8 + headerLength,
        size - 8 - headerLength,
        path,
      );
      const headerSha256 = createHash('sha256').update(prefix).update(headerBytes).digest('hex');
      return new SafetensorsFile(path, fd, size, mtimeMs, headerSha256, tensors, metadata);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  tensor(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (info === undefined) throw new CheckpointError('no such tensor in this file', { file: this.path, tensor: name });
    return info;
  }

  /** The tensor's raw little-endian bytes, in a fresh buffer of its own (offset 0, so typed views align). */
  read(name: string): Uint8Array {
    const info = this.tensor(name);
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    return readExactly(this.fd, info.byteOffset, info.byteLength, this.path, name);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function readExactly(fd: number, position: number, length: number, file: string, tensor?: string): Uint8Array {
  // allocUnsafeSlow: never a slice of Node's shared pool, so the buffer starts at offset 0 of its own memory.
  const buffer = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    let read: number;
    try {
      read = readSync(fd, buffer, done, Math.min(length - done, MAX_READ_BYTES), position + done);
    } catch (error) {
      throw new CheckpointError(`cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
        file,
        tensor,
      });
    }
    if (read === 0) {
      throw new CheckpointError(`file ended after ${done} of ${length} bytes (changed while in use?)`, {
        file,
        tensor,
      });
    }
    done += read;
  }
  return buffer;
}

/**
 * Reads a regular file of at most `maxBytes` from one opened handle, so that a file swapped for a pipe or a
 * device, or grown since it was listed, costs no more than `maxBytes + 1` bytes and never waits on a writer.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** `unreadable` covers a missing file and anything that is not a regular file (a pipe, a device, a folder). */
export type BoundedFileRead = Buffer | 'tooLarge' | 'unreadable';

/** Opening a pipe without a writer waits for one unless non-blocking (Windows has no such flag, nor pipes here). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export async function readBoundedFile(path: string, maxBytes: number): Promise<BoundedFileRead> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch {
    return 'unreadable';
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return 'unreadable';
    return await fill(info.size, maxBytes, (buffer, at) =>
      handle.read(buffer, at, buffer.length - at, at).then((r) => r.bytesRead),
    );
  } catch {
    return 'unreadable';
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Like readBoundedFile, blocking: for a parser thread, which has nothing else to do meanwhile. */
export function readBoundedFileSync(path: string, maxBytes: number): BoundedFileRead {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch {
    return 'unreadable';
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return 'unreadable';
    return fillSync(info.size, maxBytes, (buffer, at) => readSync(fd, buffer, at, buffer.length - at, at));
  } catch {
    return 'unreadable';
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads into a buffer sized for the stated size, grown while the file keeps going, never past `maxBytes + 1`:
 * one byte more than allowed is enough to know the file is too large.
 */
async function fill(
  size: number,
  maxBytes: number,
  read: (buffer: Buffer, at: number) => Promise<number>,
): Promise<BoundedFileRead> {
  let buffer: Buffer = Buffer.allocUnsafe(initialLength(size, maxBytes));
  let length = 0;
  for (;;) {
    const bytesRead = await read(buffer, length);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
    if (length > maxBytes) return 'tooLarge';
    if (length === buffer.length) buffer = grown(buffer, maxBytes);
  }
}

function fillSync(size: number, maxBytes: number, read: (buffer: Buffer, at: number) => number): BoundedFileRead {
  let buffer: Buffer = Buffer.allocUnsafe(initialLength(size, maxBytes));
  let length = 0;
  for (;;) {
    const bytesRead = read(buffer, length);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
    if (length > maxBytes) return 'tooLarge';
    if (length === buffer.length) buffer = grown(buffer, maxBytes);
  }
}

/** One byte past the stated size, so that the end of the file is seen without growing the buffer. */
function initialLength(size: number, maxBytes: number): number {
  return Math.min(size, maxBytes) + 1;
}

function grown(buffer: Buffer, maxBytes: number): Buffer {
  const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
  buffer.copy(larger);
  return larger;
}

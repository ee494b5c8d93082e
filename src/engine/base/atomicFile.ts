import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A file written under a temporary name beside its final path and renamed into place only when complete,
 * so a reader never sees half a file, even if the writer dies. (Rename within a folder is atomic; durability
 * across power loss would also need fsync, which fixtures and caches rebuilt on demand can do without.)
 */
export class AtomicFile {
  private fd: number | undefined;
  private position = 0;

  private constructor(
    readonly path: string,
    private readonly tempPath: string,
  ) {
    this.fd = openSync(tempPath, 'wx');
  }

  static create(path: string): AtomicFile {
    return new AtomicFile(path, temporaryPathFor(path));
  }

  get bytesWritten(): number {
    return this.position;
  }

  write(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already committed or aborted`);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.position + done);
    this.position += bytes.length;
  }

  commit(): void {
    this.closeFd();
    renameSync(this.tempPath, this.path);
  }

  /** Drops the temporary file; safe to call after a failure at any point, and more than once. */
  abort(): void {
    this.closeFd();
    rmSync(this.tempPath, { force: true });
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const file = AtomicFile.create(path);
  try {
    file.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}

export function copyFileAtomic(source: string, path: string): void {
  const tempPath = temporaryPathFor(path);
  try {
    copyFileSync(source, tempPath);
    renameSync(tempPath, path);
  } catch (error) {
    rmSync(tempPath, { force: true });
    throw error;
  }
}

/** Hidden, unique per process and call, in the same folder (rename does not cross file systems). */
function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

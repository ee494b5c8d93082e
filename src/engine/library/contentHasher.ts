/**
 * Verifies a file's bytes against what the Hub listed, while they stream in:
 *   - LFS files (the weights, tokenizer.json): SHA-256 of the content, the LFS oid;
 *   - files stored in git (configs, templates): the git blob id, sha1("blob <size>\0" + content);
 *   - otherwise (a mirror that lists neither): the size alone.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { RemoteFile } from './huggingFaceClient';

export class ContentHasher {
  private readonly hash: Hash | undefined;
  private readonly expected: string | undefined;
  private bytes = 0;

  constructor(private readonly file: RemoteFile) {
    if (file.sha256 !== undefined) {
      this.hash = createHash('sha256');
      this.expected = file.sha256.toLowerCase();
    } else if (file.gitBlobId !== undefined) {
      this.hash = createHash('sha1').update(`blob ${file.size}\0`);
      this.expected = file.gitBlobId.toLowerCase();
    }
  }

  get bytesHashed(): number {
    return this.bytes;
  }

  update(chunk: Uint8Array): void {
    this.hash?.update(chunk);
    this.bytes += chunk.length;
  }

  /** Feeds the first `length` bytes of a file on disk (a partial being resumed, a file already in place). */
  async updateFromFile(path: string, length: number, signal?: AbortSignal): Promise<void> {
    if (length === 0) return;
    for await (const chunk of createReadStream(path, { start: 0, end: length - 1, signal }))
      this.update(chunk as Buffer);
  }

  /** Why the bytes are not the listed file, or undefined when they are. Call once, at the end. */
  mismatch(): string | undefined {
    if (this.bytes !== this.file.size) return `${this.bytes} bytes instead of ${this.file.size}`;
    if (this.hash === undefined || this.expected === undefined) return undefined;
    const actual = this.hash.digest('hex');
    const algorithm = this.file.sha256 !== undefined ? 'SHA-256' : 'git blob id';
    return actual === this.expected ? undefined : `${algorithm} ${actual} instead of ${this.expected}`;
  }
}

/** Whether a file on disk is exactly the listed one (read in full when its size matches). */
export async function fileMatches(
  path: string,
  file: RemoteFile,
  size: number,
  signal?: AbortSignal,
): Promise<boolean> {
  if (size !== file.size) return false;
  const hasher = new ContentHasher(file);
  await hasher.updateFromFile(path, size, signal);
  return hasher.mismatch() === undefined;
}

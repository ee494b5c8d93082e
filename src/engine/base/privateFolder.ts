import { chmodSync, mkdirSync, statSync } from 'node:fs';

/**
 * Creates a folder and its missing parents readable by their owner only (0700): the cache holds code
 * outlines of the user's repositories. With `tighten`, a folder that exists already (made by an earlier
 * version) loses group and other access too; for folders that are Hearth's alone, never for a user's own.
 */
export function makePrivateFolder(path: string, options: { tighten?: boolean } = {}): void {
  const created = mkdirSync(path, { recursive: true, mode: 0o700 });
  if (created !== undefined || options.tighten !== true || process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
}

import { closeSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodePreamble, KV_SNAPSHOT_EXTENSION, PREAMBLE_FIXED_BYTES, type KvSnapshotLayout } from './kvSnapshotFormat';

export interface KvSnapshotFile {
  path: string;
  bytes: number;
  /** Last restored or written (the file's modification time, which restores update). */
  lastUsedMs: number;
}

export interface KvSnapshotFolder {
  /** The key the folder's snapshots were made under (kvSnapshotKey.ts). */
  modelKey: string;
  files: KvSnapshotFile[];
}

/** The snapshots under `root` (`<cacheDir>/kv`), one folder per model key; none when it does not exist. */
export function kvSnapshotFolders(root: string): KvSnapshotFolder[] {
  return entriesOf(root).flatMap((modelKey) => {
    const dir = join(root, modelKey);
    const files = entriesOf(dir)
      .filter((name) => name.endsWith(KV_SNAPSHOT_EXTENSION))
      .flatMap((name) => {
        try {
          const stats = statSync(join(dir, name));
          return stats.isFile() ? [{ path: join(dir, name), bytes: stats.size, lastUsedMs: stats.mtimeMs }] : [];
        } catch {
          return [];
        }
      });
    return files.length > 0 ? [{ modelKey, files }] : [];
  });
}

/** Deletes every snapshot under `root`, and temporaries left by writers that died; returns what it freed. */
export function clearKvSnapshots(root: string): { files: number; bytes: number } {
  const files = kvSnapshotFolders(root).flatMap((folder) => folder.files);
  rmSync(root, { recursive: true, force: true });
  return { files: files.length, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };
}

/** A snapshot file's layout (header and token ids, checksum verified), or why it cannot be used. */
export function readKvSnapshotLayout(path: string): KvSnapshotLayout | { invalid: string } {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = statSync(path).size;
    const read = (offset: number, length: number) => {
      const bytes = Buffer.alloc(length);
      return bytes.subarray(0, readSync(fd!, bytes, 0, length, offset));
    };
    return decodePreamble(read(0, PREAMBLE_FIXED_BYTES), read, size);
  } catch (error) {
    return { invalid: (error as Error).message };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Deletes the temporaries in `dir` (see base/atomicFile.ts) whose writing process is gone: a writer killed
 * mid-snapshot leaves one as large as the snapshot.
 */
export function removeDeadTemporaries(dir: string): void {
  for (const name of entriesOf(dir)) {
    const pid = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    rmSync(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function entriesOf(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

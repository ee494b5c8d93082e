import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
      .filter((name) => name.endsWith('.kv'))
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

/** Deletes every snapshot under `root`, and temporaries left by writers that died; returns the bytes freed. */
export function clearKvSnapshots(root: string): { files: number; bytes: number } {
  const folders = kvSnapshotFolders(root);
  const files = folders.flatMap((folder) => folder.files);
  rmSync(root, { recursive: true, force: true });
  return { files: files.length, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };
}

function entriesOf(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

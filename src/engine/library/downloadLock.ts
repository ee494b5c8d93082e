import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DownloadError } from './downloadError';
import { LOCK_FILE } from './downloadLayout';

/**
 * One download per folder at a time: two writers appending to the same parts would corrupt them (the user
 * clicks Download twice, or runs the CLI while VS Code downloads). The lock holds the owner's pid, so one
 * left by a download that died is taken over. Returns the release.
 */
export async function lockDownloadFolder(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 1; ; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DownloadError(
          'unwritable',
          `Cannot write in ${dir}: ${(error as Error).message}`,
          'Choose a download folder you can write to.',
          { cause: error },
        );
      }
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (isRunning(owner) || attempt === 3) {
      throw new DownloadError(
        'busy',
        `Another download into ${dir} is running (process ${owner}).`,
        `Wait for it to finish. If none is running, delete ${path}.`,
      );
    }
    await rm(path, { force: true });
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

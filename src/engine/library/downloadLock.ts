import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DownloadError } from './downloadError';
import { LOCK_FILE } from './downloadLayout';

/** Who holds a lock: a token of its own, so that a lock is told from a later one of the same process. */
interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

/**
 * One download per folder at a time: two writers appending to the same parts would corrupt them (the user
 * clicks Download twice, or runs the CLI while VS Code downloads). A lock whose owner died is taken over by
 * exactly one process; release removes the lock only while it is still this one's. Returns the release.
 */
export async function lockDownloadFolder(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const content = JSON.stringify({ pid: process.pid, host: hostname(), token: randomUUID() } satisfies LockOwner);
  let owner: LockOwner | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (await createLock(path, content, dir)) return () => releaseLock(path, content);
    const held = await readLock(path);
    if (held === undefined) continue; // released meanwhile
    owner = parseOwner(held);
    if (owner === undefined || isRunning(owner)) break;
    await takeOverStaleLock(path, held);
  }
  throw new DownloadError(
    'busy',
    `Another download into ${dir} is running (process ${owner?.pid ?? 'unknown'}).`,
    `Wait for it to finish. If none is running, delete ${path}.`,
  );
}

/**
 * Removes the lock at `path` if it still holds `stale` (read earlier, its owner found dead), and tells whether
 * it did. Only the process that creates the claim folder named for that content removes it, and it checks the
 * content again once it holds the claim: a lock taken over meanwhile by another process is left alone.
 */
export async function takeOverStaleLock(path: string, stale: string): Promise<boolean> {
  const claim = `${path}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  try {
    await mkdir(claim);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false; // another process is taking it over
    throw error;
  }
  try {
    if ((await readLock(path)) !== stale) return false;
    await rm(path, { force: true });
    return true;
  } finally {
    await rmdir(claim).catch(() => undefined);
  }
}

/** Creates the lock; false when one exists. */
async function createLock(path: string, content: string, dir: string): Promise<boolean> {
  try {
    await writeFile(path, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new DownloadError(
      'unwritable',
      `Cannot write in ${dir}: ${(error as Error).message}`,
      'Choose a download folder you can write to.',
      { cause: error },
    );
  }
}

/** Removes the lock if it is still ours: one taken over from us (we were thought dead) stays. */
async function releaseLock(path: string, content: string): Promise<void> {
  if ((await readLock(path)) === content) await rm(path, { force: true });
}

/** The lock's content, or undefined when there is none. */
async function readLock(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The owner a lock names: JSON, or a bare pid (locks of earlier versions). Undefined for anything else, which
 * includes a lock being written right now: that one is treated as held, never as stale.
 */
function parseOwner(content: string): LockOwner | undefined {
  if (/^\d+$/.test(content.trim())) return { pid: Number(content.trim()), host: hostname(), token: '' };
  try {
    const owner = JSON.parse(content) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.token === 'string')
      return owner as LockOwner;
  } catch {
    // not a lock this code wrote
  }
  return undefined;
}

/** Whether the owner may still be running; a lock from another host (a shared folder) always may. */
function isRunning(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

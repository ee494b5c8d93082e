import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { DownloadError } from '../../../src/engine/library/downloadError';
import { lockDownloadFolder, takeOverStaleLock } from '../../../src/engine/library/downloadLock';

const DEAD_PID = '999999999';

describe('lockDownloadFolder', () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-lock-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lets one process take over a dead owner’s lock when two saw it dead (interleaved step by step)', async () => {
    const dir = mkdtempSync(join(root, 'interleaved-'));
    const lock = join(dir, '.hearth-download.lock');
    writeFileSync(lock, DEAD_PID);
    const seenByB = readFileSync(lock, 'utf8'); // B reads the owner, finds it dead, and is paused here

    const releaseA = await lockDownloadFolder(dir); // A sees the same dead owner and takes over
    const heldByA = readFileSync(lock, 'utf8');
    assert.equal((JSON.parse(heldByA) as { pid: number }).pid, process.pid);

    assert.equal(await takeOverStaleLock(lock, seenByB), false, 'B finds the lock is no longer the stale one');
    assert.equal(readFileSync(lock, 'utf8'), heldByA, 'A still holds it');
    await assert.rejects(lockDownloadFolder(dir), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.failure, 'busy');
      assert.equal(error.message, `Another download into ${dir} is running (process ${process.pid}).`);
      return true;
    });

    await releaseA();
    assert.equal(existsSync(lock), false);
    assert.deepEqual(readdirSync(dir), [], 'no claim folder is left');
  });

  it('releases only a lock that is still its own', async () => {
    const dir = mkdtempSync(join(root, 'release-'));
    const lock = join(dir, '.hearth-download.lock');
    const release = await lockDownloadFolder(dir);
    // Another process took the lock over, believing this one dead.
    const theirs = JSON.stringify({ pid: process.ppid, host: 'elsewhere', token: 'theirs' });
    writeFileSync(lock, theirs);

    await release();
    assert.equal(readFileSync(lock, 'utf8'), theirs);
  });

  it('treats a lock it cannot read as held (one being written), naming no process', async () => {
    const dir = mkdtempSync(join(root, 'empty-'));
    writeFileSync(join(dir, '.hearth-download.lock'), '');
    await assert.rejects(lockDownloadFolder(dir), {
      message: `Another download into ${dir} is running (process unknown).`,
      hint: `Wait for it to finish. If none is running, delete ${join(dir, '.hearth-download.lock')}.`,
    });
  });

  it('gives a dead owner’s lock to exactly one of four processes that race for it', async () => {
    const dir = mkdtempSync(join(root, 'race-'));
    const lock = join(dir, '.hearth-download.lock');
    writeFileSync(lock, DEAD_PID);
    const children = Array.from({ length: 4 }, () => lockingProcess(dir));
    try {
      const outcomes = await Promise.all(children.map((child) => child.outcome));
      assert.deepEqual([...outcomes].sort(), ['acquired', 'busy', 'busy', 'busy']);
      const winner = children[outcomes.indexOf('acquired')];
      assert.equal((JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid, winner.pid);
    } finally {
      for (const child of children) child.finish();
      await Promise.all(children.map((child) => child.exited));
    }
    assert.equal(existsSync(lock), false, 'the winner released it');
  });
});

/** A real process that takes the lock (holding it until finish()) or reports the folder busy. */
function lockingProcess(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'lockHolderChild.ts'), dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const outcome = new Promise<string>((done) =>
    createInterface({ input: child.stdout }).once('line', (line) => done(line)),
  );
  return { pid: child.pid, outcome, exited, finish: () => child.stdin.end() };
}

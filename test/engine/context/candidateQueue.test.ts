import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CandidateQueue } from '../../../src/engine/context/candidateQueue';
import type { FileCandidate } from '../../../src/engine/context/workspaceScanner';

const candidate = (path: string, languageId: string): FileCandidate => ({
  path,
  absolutePath: `/w/${path}`,
  size: 1,
  mtimeMs: 1,
  languageId,
});

describe('CandidateQueue', () => {
  it('hands out files in the order found, waiting for the walk, until it ends', async () => {
    const queue = new CandidateQueue();
    const taken: (string | undefined)[] = [];
    const taking = (async () => {
      for (let file = await queue.take(); file !== undefined; file = await queue.take()) taken.push(file.path);
      taken.push(undefined);
    })();
    queue.push(candidate('a.ts', 'typescript'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(taken, ['a.ts']);
    queue.push(candidate('b.md', 'markdown'));
    queue.push(candidate('c.py', 'python'));
    queue.end();
    await taking;
    assert.deepEqual(taken, ['a.ts', 'b.md', 'c.py', undefined]);
    assert.deepEqual([queue.size, queue.parseableFiles, queue.walkEnded], [3, 2, true]);
  });

  it('waits until enough files to parse were found, or the walk ended', async () => {
    const queue = new CandidateQueue();
    let ready = false;
    const waiting = queue.waitForParseable(2).then(() => (ready = true));
    queue.push(candidate('a.ts', 'typescript'));
    queue.push(candidate('notes.md', 'markdown'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ready, false);
    queue.push(candidate('b.go', 'go'));
    await waiting;
    assert.equal(queue.walkEnded, false);

    const short = new CandidateQueue();
    const shortWait = short.waitForParseable(1000);
    short.push(candidate('a.ts', 'typescript'));
    short.end();
    await shortWait;
    assert.equal(short.parseableFiles, 1);
    await new CandidateQueue().waitForParseable(0); // nothing to wait for
  });

  // A regression here leaves a waiter asleep: fail then, rather than hang the run.
  it('wakes every waiter, not only the last', { timeout: 2_000 }, async () => {
    const queue = new CandidateQueue();
    const waiting = queue.waitForParseable(1);
    const taking = queue.take();
    queue.push(candidate('a.ts', 'typescript'));
    await waiting;
    assert.equal((await taking)?.path, 'a.ts');
  });
});

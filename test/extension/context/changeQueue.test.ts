import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeQueue, type ChangeKind } from '../../../src/extension/context/changeQueue';

type Batch = readonly [string, ChangeKind][];

function queue(options: { delayMs?: number; maxDelayMs?: number; fail?: boolean } = {}) {
  const batches: Batch[] = [];
  const errors: unknown[] = [];
  const changes = new ChangeQueue({
    delayMs: options.delayMs ?? 30,
    maxDelayMs: options.maxDelayMs ?? 1_000,
    send: (batch) => {
      batches.push(batch);
      return options.fail ? Promise.reject(new Error('engine gone')) : Promise.resolve();
    },
    onError: (error) => errors.push(error),
  });
  return { changes, batches, errors };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ChangeQueue', () => {
  it('batches changes after a quiet period, one entry per path with its latest kind', async () => {
    const { changes, batches } = queue();
    changes.add('/ws/a.ts', 'created');
    changes.add('/ws/b.ts', 'changed');
    changes.add('/ws/a.ts', 'deleted');
    assert.equal(changes.size, 2);
    await sleep(80);
    assert.deepEqual(batches, [
      [
        ['/ws/b.ts', 'changed'],
        ['/ws/a.ts', 'deleted'],
      ],
    ]);
  });

  it('debounces: each change restarts the quiet period', async () => {
    const { changes, batches } = queue({ delayMs: 50 });
    changes.add('/ws/a.ts', 'changed');
    await sleep(30);
    changes.add('/ws/a.ts', 'changed');
    await sleep(30);
    assert.equal(batches.length, 0);
    await sleep(50);
    assert.equal(batches.length, 1);
  });

  it('sends a steady stream of changes after the maximum delay', async () => {
    const { changes, batches } = queue({ delayMs: 40, maxDelayMs: 60 });
    for (let i = 0; i < 6; i++) {
      changes.add(`/ws/${i}.ts`, 'changed');
      await sleep(15);
    }
    assert.ok(batches.length >= 1, 'nothing sent within the maximum delay');
    changes.dispose();
  });

  it('flushes at once, and reports a failed batch without throwing', async () => {
    const { changes, batches, errors } = queue({ fail: true });
    changes.add('/ws/a.ts', 'changed');
    await changes.flush();
    assert.deepEqual(batches, [[['/ws/a.ts', 'changed']]]);
    assert.equal((errors[0] as Error).message, 'engine gone');
    await changes.flush(); // nothing pending: nothing sent
    assert.equal(batches.length, 1);
  });

  it('drops what is pending on clear and after dispose', async () => {
    const { changes, batches } = queue();
    changes.add('/ws/a.ts', 'changed');
    changes.clear();
    changes.dispose();
    changes.add('/ws/b.ts', 'changed');
    await sleep(60);
    assert.deepEqual(batches, []);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Logger } from '../../../src/engine/base/logger';
import { KvSnapshotStore } from '../../../src/engine/generation/kvSnapshotStore';
import type { KvRows } from '../../../src/engine/onnx/kvCache';
import { CachedDecoder } from '../../../src/engine/generation/cachedDecoder';
import { PrefixCache } from '../../../src/engine/generation/prefixCache';
import { FakeDecoder, freeTurn, stateOf } from './fakeDecoder';

/** The fake's keys and values: 4 bytes each per position, plus 4 for the token id a snapshot keeps. */
const POSITION_BYTES = 8;
const SNAPSHOT_POSITION_BYTES = POSITION_BYTES + 4;
const never = new AbortController().signal;

function setUp(options: { chunk?: number; budget?: number } = {}) {
  const fake = new FakeDecoder();
  const cache = new PrefixCache(options.budget ?? 1 << 20, POSITION_BYTES);
  return { fake, cache, decoder: new CachedDecoder(fake, cache, options.chunk ?? 1000) };
}

const range = (start: number, count: number) => Array.from({ length: count }, (_, i) => start + i);
const base = range(100, 40);
const chatA = [...base, ...range(500, 30)];
const chatB = [...base, ...range(700, 20)];

describe('CachedDecoder: the live sequence and saved prefixes', () => {
  it('computes a fresh prompt in chunks and returns the last logits', async () => {
    const { fake, decoder } = setUp({ chunk: 16 });
    const result = await decoder.evaluate(chatA, freeTurn(), never);
    assert.deepEqual(
      fake.runs.map((run) => run.length),
      [16, 16, 16, 16, 6],
    );
    assert.deepEqual(fake.state, stateOf(chatA));
    assert.equal(result.logits[0], stateOf(chatA).at(-1));
    assert.equal(result.cachedTokens, 0);
    assert.equal(result.computedTokens, 70);
  });

  it('shortens prefill runs that would take over the target time, from the speed of the last run of 16 tokens or more', async () => {
    /** Takes `msPerToken` of a fake clock per token. */
    class TimedDecoder extends FakeDecoder {
      now = 0;
      msPerToken = 10;
      override prefill(tokens: readonly number[], signal?: AbortSignal): Promise<Float32Array> {
        this.now += tokens.length * this.msPerToken;
        return super.prefill(tokens, signal);
      }
    }
    const fake = new TimedDecoder();
    const decoder = new CachedDecoder(fake, new PrefixCache(1 << 20, POSITION_BYTES), 128, {
      targetRunMs: 500,
      now: () => fake.now,
    });
    const prompt = range(0, 300);
    // The first run has no speed to go by; at 10 ms a token, 500 ms is 50 tokens.
    await decoder.evaluate(prompt, freeTurn(), never);
    assert.deepEqual(
      fake.runs.map((run) => run.length),
      [128, 50, 50, 50, 22],
    );
    // Slower (a longer context, a busy machine): runs shrink to 16 tokens, never fewer.
    fake.msPerToken = 100;
    const longer = [...prompt, ...range(1000, 100)];
    await decoder.evaluate(longer, freeTurn(), never);
    assert.deepEqual(
      fake.runs.slice(5).map((run) => run.length),
      [50, 16, 16, 16, 2],
    );
    // A decode step (one token) does not count as a speed: the next prompt starts with 16 tokens, then runs
    // as fast as that run went (1 ms a token: the whole chunk).
    fake.msPerToken = 1;
    await decoder.evaluate([...longer, 7], freeTurn(), never);
    await decoder.evaluate([...longer, 7, ...range(2000, 40)], freeTurn(), never);
    assert.deepEqual(
      fake.runs.slice(10).map((run) => run.length),
      [1, 16, 24],
    );
    assert.deepEqual(fake.state, stateOf([...longer, 7, ...range(2000, 40)]));
  });

  it('takes runs of the length a caller asks for, from the same speed', async () => {
    class TimedDecoder extends FakeDecoder {
      now = 0;
      override prefill(tokens: readonly number[], signal?: AbortSignal): Promise<Float32Array> {
        this.now += tokens.length * 10;
        return super.prefill(tokens, signal);
      }
    }
    const fake = new TimedDecoder();
    const decoder = new CachedDecoder(fake, new PrefixCache(1 << 20, POSITION_BYTES), 128, {
      targetRunMs: 500,
      now: () => fake.now,
    });
    // At 10 ms a token, a 250 ms run is 25 tokens; the first run, with no speed to go by, the whole chunk.
    await decoder.evaluateReporting(range(0, 200), freeTurn(), undefined, never, 250);
    assert.deepEqual(
      fake.runs.map((run) => run.length),
      [128, 25, 25, 22],
    );
  });

  it('extends the live sequence by one token per decode step', async () => {
    const { fake, decoder } = setUp();
    await decoder.evaluate(chatA, freeTurn(), never);
    const result = await decoder.evaluate([...chatA, 9], freeTurn(), never);
    assert.deepEqual(fake.runs.at(-1), [9]);
    assert.deepEqual([result.cachedTokens, result.computedTokens], [70, 1]);
    assert.deepEqual(fake.state, stateOf([...chatA, 9]));
  });

  it('always recomputes the last token of a prompt it holds whole, for its logits', async () => {
    const { fake, decoder } = setUp();
    await decoder.evaluate(chatA, freeTurn(), never);
    const again = await decoder.evaluate(chatA, freeTurn(), never);
    assert.deepEqual([again.cachedTokens, again.computedTokens], [69, 1]);
    assert.equal(again.logits[0], stateOf(chatA).at(-1));
    assert.deepEqual(fake.state, stateOf(chatA));
  });

  it('keeps the common prefix of a diverging request, and restores the other sequence from its saved tail', async () => {
    const { fake, cache, decoder } = setUp();
    await decoder.evaluate(chatA, freeTurn(), never);
    const b = await decoder.evaluate(chatB, freeTurn(), never);
    assert.deepEqual([b.cachedTokens, b.computedTokens], [40, 20]);
    // chatA's own 30 positions were kept, chained onto the shared 40.
    assert.deepEqual(cache.stats, { entries: 1, bytes: 40 * 4 + 30 * SNAPSHOT_POSITION_BYTES, budgetBytes: 1 << 20 });

    const computedBefore = fake.computed;
    const a = await decoder.evaluate([...chatA, 1], freeTurn(), never);
    assert.deepEqual([a.cachedTokens, a.computedTokens], [70, 1]);
    assert.equal(fake.computed - computedBefore, 1);
    assert.deepEqual(fake.state, stateOf([...chatA, 1]), 'restored rows equal computed ones');
    // chatB's tail went into the cache in turn; the shared prefix is stored once.
    const back = await decoder.evaluate([...chatB, 2], freeTurn(), never);
    assert.deepEqual([back.cachedTokens, back.computedTokens], [60, 1]);
    assert.deepEqual(fake.state, stateOf([...chatB, 2]));
  });

  it('restores through a chain of snapshots when the live sequence has moved elsewhere', async () => {
    const { fake, decoder } = setUp();
    const unrelated = range(9000, 10);
    await decoder.evaluate(chatA, freeTurn(), never); // live: base + a
    await decoder.evaluate(chatB, freeTurn(), never); // saves a's tail (from 40)
    await decoder.evaluate(unrelated, freeTurn(), never); // saves base + b (from 0)
    const a = await decoder.evaluate([...chatA, 3], freeTurn(), never);
    assert.equal(a.cachedTokens, 70, 'base from the second snapshot, the rest from the first');
    assert.deepEqual(fake.state, stateOf([...chatA, 3]));
  });

  it('resumes correctly when another request replaces the live sequence between prefill chunks', async () => {
    const { fake, decoder } = setUp({ chunk: 16 });
    let interruptions = 0;
    const turn = freeTurn(async () => {
      if (interruptions++ === 1) await decoder.evaluate(range(3000, 25), freeTurn(), never);
    });
    const result = await decoder.evaluate(chatA, turn, never);
    assert.equal(result.logits[0], stateOf(chatA).at(-1));
    assert.equal(result.cachedTokens, 0);
    assert.equal(
      result.computedTokens,
      70,
      'the 32 positions computed before the interruption were restored, not recomputed',
    );
    assert.deepEqual(fake.state, stateOf(chatA));
  });

  it(
    'computes each position of a long prefill once, though another request cuts in at every run',
    { timeout: 60_000 },
    async () => {
      // 150 runs: far more pieces than the cache keeps entries, were each switch's tail kept on its own.
      const { fake, decoder } = setUp({ chunk: 16 });
      const prompt = range(10_000, 16 * 150);
      let cutIns = 0;
      const turn = freeTurn(async () => {
        cutIns++;
        await decoder.evaluate(range(50_000 + cutIns * 10, 5), freeTurn(), never);
      });
      const result = await decoder.evaluate(prompt, turn, never);
      assert.equal(cutIns, 149);
      assert.equal(result.computedTokens, prompt.length);
      assert.deepEqual(fake.state, stateOf(prompt));
    },
  );

  it('keeps the chunks an aborted prefill computed, and reuses them', async () => {
    const { fake, decoder } = setUp({ chunk: 16 });
    const controller = new AbortController();
    const turn = freeTurn(() => {
      if (fake.length === 32) controller.abort();
    });
    await assert.rejects(decoder.evaluate(chatA, turn, controller.signal), { name: 'AbortError' });
    assert.equal(fake.length, 32);
    const result = await decoder.evaluate(chatA, freeTurn(), never);
    assert.deepEqual([result.cachedTokens, result.computedTokens], [32, 38]);
    assert.deepEqual(fake.state, stateOf(chatA));
  });

  it('saves only the first positions of a tail larger than the budget, and evicts the least recently used', async () => {
    // Room for 50 positions with their tokens.
    const { fake, cache, decoder } = setUp({ budget: 50 * SNAPSHOT_POSITION_BYTES });
    const first = range(1, 70);
    await decoder.evaluate(first, freeTurn(), never);
    await decoder.evaluate(range(2000, 5), freeTurn(), never);
    assert.deepEqual(cache.stats, {
      entries: 1,
      bytes: 50 * SNAPSHOT_POSITION_BYTES,
      budgetBytes: 50 * SNAPSHOT_POSITION_BYTES,
    });
    const partial = await decoder.evaluate(first, freeTurn(), never);
    assert.deepEqual([partial.cachedTokens, partial.computedTokens], [50, 20]);
    assert.deepEqual(fake.state, stateOf(first));

    // Two 20-position tails fit beside each other; a third evicts the oldest.
    const { cache: small, decoder: lru } = setUp({ budget: 45 * SNAPSHOT_POSITION_BYTES });
    const sequences = [range(10, 21), range(40, 21), range(70, 21), range(99, 3)];
    for (const tokens of sequences) await lru.evaluate(tokens, freeTurn(), never);
    assert.equal(small.stats.entries, 2);
    assert.ok(small.stats.bytes <= small.budgetBytes);
    assert.equal((await lru.evaluate(sequences[0], freeTurn(), never)).cachedTokens, 0, 'the oldest was evicted');
    assert.equal((await lru.evaluate(sequences[2], freeTurn(), never)).cachedTokens, 20, 'the newest is kept');
  });
});

describe('CachedDecoder: prefixes on disk', () => {
  it('restores a long snapshot in runs of the target time, with a step boundary between runs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hearth-restore-runs-'));
    try {
      const store = new KvSnapshotStore({
        root,
        modelKey: 'fake',
        dtype: 'float32',
        geometry: { numLayers: 1, numKvHeads: 1, headDim: 1 },
        budgetBytes: 1 << 30,
        logger: new Logger('warn', () => {}),
      });
      const stored = range(1000, 1000);
      const source = new FakeDecoder();
      await source.prefill(stored);
      assert.equal(
        await store.write(Int32Array.from(stored), (from, to) => Promise.resolve(source.copyRows(from, to))),
        true,
      );
      /** Appending a block of 128 positions takes 100 ms of a fake clock. */
      class ClockedDecoder extends FakeDecoder {
        now = 0;
        override appendRows(rows: KvRows, offset: number, count: number): void {
          this.now += 100;
          super.appendRows(rows, offset, count);
        }
      }
      const fake = new ClockedDecoder();
      const decoder = new CachedDecoder(
        fake,
        new PrefixCache(1 << 20, POSITION_BYTES),
        128,
        { targetRunMs: 250, now: () => fake.now },
        { store, shared: () => {}, minSharedTokens: 512 },
      );
      const heldAtBoundaries: number[] = [];
      const prompt = [...stored, ...range(5000, 5)];
      const result = await decoder.evaluate(
        prompt,
        freeTurn(() => void heldAtBoundaries.push(fake.length)),
        never,
      );
      // Three blocks a run (the one that passes 250 ms ends it), then the last two, then the 5 new tokens.
      assert.deepEqual(heldAtBoundaries, [384, 768]);
      assert.deepEqual(
        fake.runs.map((run) => run.length),
        [5],
      );
      assert.deepEqual(fake.state, stateOf(prompt));
      assert.equal(result.cachedTokens, 1000);
      assert.equal(result.diskTokens, 1000);
      assert.equal(result.computedTokens, 5);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

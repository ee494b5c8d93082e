import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_SEED, SeededRandom } from '../../../src/engine/text/seededRandom';

describe('SeededRandom', () => {
  it('matches the C reference of xoshiro128** seeded by SplitMix64', () => {
    // From Vigna's xoshiro128starstar.c and splitmix64.c, s[4] filled from two SplitMix64 outputs.
    const expected: Record<number, number[]> = {
      0: [3737715805, 2584255861, 2876756834, 3286328325, 1553311962, 1625202774],
      42: [1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222],
      [MAX_SEED]: [1233166643, 1287031142, 661813442, 2960669951, 2601079046, 1036114921],
    };
    for (const [seed, values] of Object.entries(expected)) {
      const random = new SeededRandom(Number(seed));
      assert.deepEqual(
        values.map(() => random.nextUint32()),
        values,
        `seed ${seed}`,
      );
    }
  });

  it('gives floats in [0, 1) from the same stream', () => {
    const random = new SeededRandom(42);
    assert.equal(random.nextFloat(), 1776835114 / 2 ** 32);
    for (let i = 0; i < 10_000; i++) {
      const value = random.nextFloat();
      assert.ok(value >= 0 && value < 1);
    }
  });

  it('rejects seeds it cannot reproduce, and makes fresh ones that it can', () => {
    for (const seed of [-1, 1.5, MAX_SEED + 1, NaN]) assert.throws(() => new SeededRandom(seed), RangeError);
    const seed = SeededRandom.randomSeed();
    assert.ok(Number.isSafeInteger(seed) && seed >= 0);
    assert.equal(new SeededRandom(seed).nextUint32(), new SeededRandom(seed).nextUint32());
  });
});

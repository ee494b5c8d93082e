import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argmax, TopCandidates } from '../../../src/engine/text/topCandidates';
import { SeededRandom } from '../../../src/engine/text/seededRandom';

describe('TopCandidates', () => {
  it('returns the k largest best first, the lower index first on ties, NaN last', () => {
    const logits = Float32Array.of(0.5, NaN, 3, -1, 3, 7, -Infinity, 3, 2);
    const top = new TopCandidates();
    assert.deepEqual([...top.select(logits, 4, logits.length)], [5, 2, 4, 7]);
    assert.deepEqual([...top.select(logits, 1, logits.length)], [5]);
    assert.deepEqual([...top.select(logits, 20, logits.length)], [5, 2, 4, 7, 8, 0, 3, 1, 6], 'NaN ranks as −∞');
    assert.deepEqual([...top.select(logits, 3, 5)], [2, 4, 0], 'only the first `limit` entries count');
  });

  it('agrees with a full sort on a vocabulary-sized array, reusing its buffers', () => {
    const random = new SeededRandom(11);
    const logits = Float32Array.from({ length: 151_936 }, () => Math.round(random.nextFloat() * 2000) / 100);
    const sorted = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
    const top = new TopCandidates();
    for (const k of [1, 20, 64, 1000, 4096])
      assert.deepEqual([...top.select(logits, k, logits.length)], sorted.slice(0, k), `k = ${k}`);
  });

  it('argmax takes the first maximum and skips NaN; -1 when nothing is a number', () => {
    assert.equal(argmax(Float32Array.of(NaN, 2, 5, 5), 4), 2);
    assert.equal(argmax(Float32Array.of(1, 9), 1), 0);
    assert.equal(argmax(Float32Array.of(NaN, -Infinity), 2), -1);
  });
});

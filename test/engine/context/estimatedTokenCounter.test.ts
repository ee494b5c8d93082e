import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimatedTokenCounter } from '../../../src/engine/context/estimatedTokenCounter';

describe('estimatedTokenCounter', () => {
  it('counts UTF-8 bytes over three, rounded up', () => {
    assert.equal(estimatedTokenCounter.count(''), 0);
    assert.equal(estimatedTokenCounter.count('abc'), 1);
    assert.equal(estimatedTokenCounter.count('abcd'), 2);
    assert.equal(estimatedTokenCounter.count('héé'), 2); // 5 bytes
    assert.equal(estimatedTokenCounter.count('€😀'), 3); // 3 + 4 bytes
  });
});

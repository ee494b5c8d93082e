import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompletionCache, type CompletionCacheKey } from '../../../src/extension/completion/completionCache';

const key = (linePrefix: string, overrides: Partial<CompletionCacheKey> = {}): CompletionCacheKey => ({
  model: 'tiny\u0000fim',
  before: 'function total(xs) {\n',
  linePrefix,
  suffix: '\n}\n',
  ...overrides,
});

describe('CompletionCache', () => {
  it('finds an answer again by prefix and suffix: backspacing and retyping cost nothing', () => {
    const cache = new CompletionCache();
    cache.store(key('  return x'), 's.length;');
    cache.store(key('  return'), ' 0;');
    assert.deepEqual(cache.lookup(key('  return x')), { text: 's.length;', typedAhead: 0 });
    assert.deepEqual(cache.lookup(key('  return')), { text: ' 0;', typedAhead: 0 });
    assert.equal(cache.lookup(key('  return x', { suffix: '\n}\nexport {}\n' })), undefined);
    assert.equal(cache.lookup(key('  return x', { model: 'other\u0000chat' })), undefined);
    assert.equal(cache.lookup(key('  return x', { before: 'function count(xs) {\n' })), undefined);
  });

  it('serves the rest of an answer whose first characters the user typed', () => {
    const cache = new CompletionCache();
    cache.store(key('  return x'), 's.length;');
    assert.deepEqual(cache.lookup(key('  return xs.le')), { text: 'ngth;', typedAhead: 4 });
    assert.deepEqual(cache.lookup(key('  return xs.le')), { text: 'ngth;', typedAhead: 0 }); // now stored as it is
    assert.equal(cache.lookup(key('  return xy')), undefined); // typed something else
    assert.equal(cache.lookup(key('  return xs.length;')), undefined); // typed it all: nothing left to suggest
  });

  it('remembers that there was nothing to suggest', () => {
    const cache = new CompletionCache();
    cache.store(key('  '), '');
    assert.deepEqual(cache.lookup(key('  ')), { text: '', typedAhead: 0 });
  });

  it('evicts the least recently used answer', () => {
    const cache = new CompletionCache(2);
    cache.store(key('a'), '1');
    cache.store(key('b'), '2');
    cache.lookup(key('a'));
    cache.store(key('c'), '3');
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup(key('b')), undefined);
    assert.deepEqual(cache.lookup(key('a')), { text: '1', typedAhead: 0 });
  });
});

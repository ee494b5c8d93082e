import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LexicalIndex } from '../../../../src/engine/context/retrieval/lexicalIndex';

/** Three documents: a {x, y}, b {x x}, c {z}; N = 3, average length 5/3. Values worked out by hand (k1 2, b 0.5). */
function fixture(): LexicalIndex {
  const index = new LexicalIndex();
  index.set(
    'a',
    new Map([
      ['x', 1],
      ['y', 1],
    ]),
  );
  index.set('b', new Map([['x', 2]]));
  index.set('c', new Map([['z', 1]]));
  return index;
}

function close(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);
}

describe('LexicalIndex', () => {
  it('scores with BM25: idf from document counts, saturated and length-normalised frequency', () => {
    const index = fixture();
    close(index.idf('x'), Math.log(1.6));
    close(index.idf('unknown'), Math.log(1 + 3.5 / 0.5));
    const scores = index.search(['x', 'y', 'x']);
    assert.deepEqual([...scores.keys()].sort(), ['a', 'b']);
    close(scores.get('a'), 1.3601558271163705);
    close(scores.get('b'), 0.6714337560653366);
  });

  it('updates in place when a document is removed or replaced', () => {
    const index = fixture();
    index.remove('b');
    assert.equal(index.documentCount, 2);
    close(index.search(['x']).get('a'), 0.6238324625039507);
    index.set('a', new Map([['z', 1]]));
    assert.equal(index.search(['x']).size, 0);
    assert.deepEqual([...index.search(['z']).keys()].sort(), ['a', 'c']);
  });

  it('scores a bag outside the index with the index statistics', () => {
    const index = fixture();
    close(index.scoreBag(new Map([['x', 2]]), ['x'], 5 / 3), 0.6714337560653366);
    assert.equal(index.scoreBag(new Map([['q', 1]]), ['x'], 5 / 3), 0);
  });
});

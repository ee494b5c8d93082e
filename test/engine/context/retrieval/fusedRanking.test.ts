import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuseRanking, GRAPH_WEIGHT, LEXICAL_WEIGHT } from '../../../../src/engine/context/retrieval/fusedRanking';

const files = [
  { path: 'README.md' },
  { path: 'package.json' },
  { path: 'src/cache.ts' },
  { path: 'src/index.ts' },
  { path: 'src/store.ts' },
  { path: 'test/cache.test.ts' },
  { path: 'test/fixtures/data.json' },
];
const global = Float64Array.from([0.05, 0.05, 0.2, 0.1, 0.4, 0.1, 0.1]);

describe('fuseRanking', () => {
  it('without a focus, orders by role tier, then global PageRank, then path', () => {
    const ranked = fuseRanking({ files, global });
    assert.deepEqual(
      ranked.map((r) => [r.file.path, r.signals.tier]),
      [
        ['README.md', 0],
        ['package.json', 0],
        ['src/index.ts', 1],
        ['src/store.ts', 2],
        ['src/cache.ts', 2],
        ['test/cache.test.ts', 3],
        ['test/fixtures/data.json', 4],
      ],
    );
    assert.equal(ranked[3].signals.graph, 1);
    assert.equal(ranked[4].signals.graph, 0.5);
  });

  it('with a question, fuses normalised BM25 and graph scores, and tests give way to code', () => {
    const personal = Float64Array.from([0, 0, 0.5, 0.1, 0.25, 0.5, 0]);
    const lexical = new Map([
      ['src/cache.ts', 8],
      ['test/cache.test.ts', 8],
      ['src/store.ts', 2],
    ]);
    const ranked = fuseRanking({ files, global, personal, lexical });
    assert.deepEqual(
      ranked.slice(0, 4).map((r) => r.file.path),
      ['src/cache.ts', 'test/cache.test.ts', 'src/store.ts', 'src/index.ts'],
    );
    const cache = ranked[0].signals;
    assert.deepEqual([cache.lexical, cache.graph, cache.role], [1, 1, 'source']);
    assert.equal(cache.score, LEXICAL_WEIGHT + GRAPH_WEIGHT);
    assert.ok(Math.abs(ranked[1].signals.score - (LEXICAL_WEIGHT + GRAPH_WEIGHT - 0.15)) < 1e-12);
    assert.ok(Math.abs(ranked[2].signals.score - (0.25 * LEXICAL_WEIGHT + 0.5 * GRAPH_WEIGHT)) < 1e-12);
  });
});

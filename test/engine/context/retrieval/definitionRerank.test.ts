import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFINITION_WEIGHT,
  RERANK_DEPTH,
  rerankByDefinitions,
} from '../../../../src/engine/context/retrieval/definitionRerank';
import type { RankedFile } from '../../../../src/engine/context/retrieval/fusedRanking';

function entry(path: string, score: number): RankedFile<{ path: string }> {
  return { file: { path }, signals: { role: 'source', tier: 0, lexical: score, graph: 0, definition: 0, score } };
}

describe('rerankByDefinitions', () => {
  it('lifts a file whose best definition matches the question above files that only mention its words', () => {
    const ranked = [entry('a.ts', 1), entry('b.ts', 0.9), entry('c.ts', 0.5)];
    const best: Record<string, number> = { 'a.ts': 1, 'b.ts': 4, 'c.ts': 0 };
    const reranked = rerankByDefinitions(ranked, (file) => best[file.path]);
    assert.deepEqual(
      reranked.map((r) => [r.file.path, r.signals.definition, r.signals.score]),
      [
        ['b.ts', 1, 0.9 + DEFINITION_WEIGHT],
        ['a.ts', 0.25, 1 + DEFINITION_WEIGHT * 0.25],
        ['c.ts', 0, 0.5],
      ],
    );
  });

  it(`leaves the files below the first ${RERANK_DEPTH} in place`, () => {
    const ranked = Array.from({ length: RERANK_DEPTH + 5 }, (_, i) => entry(`f${i}.ts`, 100 - i));
    const reranked = rerankByDefinitions(ranked, (file) => (file.path === `f${RERANK_DEPTH + 2}.ts` ? 10 : 0));
    assert.deepEqual(
      reranked.slice(RERANK_DEPTH).map((r) => r.file.path),
      ranked.slice(RERANK_DEPTH).map((r) => r.file.path),
    );
  });
});

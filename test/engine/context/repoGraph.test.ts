import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SymbolDefinition } from '../../../src/engine/context/fileSymbols';
import { pageRank, personalizedPageRank } from '../../../src/engine/context/pageRank';
import { focusRestartVector } from '../../../src/engine/context/rankFocus';
import { nameWeight, RepoGraph, type GraphFile } from '../../../src/engine/context/repoGraph';

function file(path: string, defines: string[], uses: Record<string, number> = {}): GraphFile {
  const definitions: SymbolDefinition[] = defines.map((name, i) => ({
    name,
    kind: 'function',
    line: i + 1,
    endLine: i + 1,
    lastLine: i + 1,
  }));
  return { path, symbols: { definitions, references: new Map(Object.entries(uses)) } };
}

/** main → service → store, format; legacy and readme stand alone. Sorted by path, as the index keeps them. */
const files: GraphFile[] = [
  file('README.md', []),
  file('src/format.ts', ['formatReceipt']),
  file('src/legacy.ts', ['legacyReport']),
  file('src/main.ts', ['main'], { OrderService: 2 }),
  file('src/service.ts', ['OrderService'], { OrderStore: 1, formatReceipt: 1 }),
  file('src/store.ts', ['OrderStore']),
];
const paths = files.map((f) => f.path);
const graph = RepoGraph.build(files);

function ranked(focus: Parameters<typeof focusRestartVector>[2]): string[] {
  return graph.rank(focusRestartVector(paths, graph.definers, focus)).map((i) => paths[i]);
}

describe('PageRank', () => {
  const cycle = {
    nodeCount: 3,
    offsets: Int32Array.of(0, 1, 2, 3),
    targets: Int32Array.of(1, 2, 0),
    weights: Float64Array.of(1, 1, 1),
  };

  it('gives a symmetric cycle equal scores summing to 1', () => {
    for (const score of pageRank(cycle)) assert.ok(Math.abs(score - 1 / 3) < 1e-12);
  });

  it('pulls personalised scores towards the restart vector', () => {
    const scores = personalizedPageRank(cycle, Float64Array.of(2, 0, 0));
    // Restart at 0 with probability 0.15 each step: node 0 gets 0.15 / (1 − 0.85³), and each hop keeps 85%.
    const first = 0.15 / (1 - 0.85 ** 3);
    for (const [i, expected] of [first, 0.85 * first, 0.85 ** 2 * first].entries())
      assert.ok(Math.abs(scores[i] - expected) < 1e-5, `${i}: ${scores[i]}`);
  });

  it('sends the mass of nodes without edges back to the restart vector', () => {
    const chain = {
      nodeCount: 3,
      offsets: Int32Array.of(0, 1, 1, 1),
      targets: Int32Array.of(1),
      weights: Float64Array.of(1),
    };
    const global = pageRank(chain);
    assert.ok(Math.abs(global[0] + global[1] + global[2] - 1) < 1e-9);
    assert.ok(global[1] > global[0] && global[0] === global[2]);
    const personal = personalizedPageRank(chain, Float64Array.of(1, 0, 0));
    assert.equal(personal[2], 0); // unreachable from the focus
    assert.ok(Math.abs(personal[0] + personal[1] - 1) < 1e-5);
    assert.throws(() => personalizedPageRank(chain, new Float64Array(3)), RangeError);
  });
});

describe('RepoGraph', () => {
  it('weighs distinctive names up and private or common names down', () => {
    assert.equal(nameWeight('formatReceipt', 1), 10);
    assert.equal(nameWeight('snake_case_name', 1), 10);
    assert.equal(nameWeight('render', 1), 1);
    assert.equal(nameWeight('_internalHelper', 1), 1);
    assert.equal(nameWeight('_x', 1), 0.1);
    assert.ok(Math.abs(nameWeight('formatReceipt', 6) - 1) < 1e-12);
  });

  it('links a file to the files defining the names it uses', () => {
    const edges = (from: string): string[] => {
      const i = paths.indexOf(from);
      return [...graph.targets.subarray(graph.offsets[i], graph.offsets[i + 1])].map((t) => paths[t]);
    };
    assert.deepEqual(edges('src/main.ts'), ['src/service.ts']);
    assert.deepEqual(edges('src/service.ts'), ['src/format.ts', 'src/store.ts']);
    assert.deepEqual(edges('src/store.ts'), []);
  });

  it('ranks the active file, then its dependencies, then theirs, then unrelated files', () => {
    assert.deepEqual(ranked({ activeFile: 'src/main.ts' }), [
      'src/main.ts',
      'src/service.ts',
      'src/format.ts',
      'src/store.ts',
      'README.md',
      'src/legacy.ts',
    ]);
  });

  it('ranks files named in the question by path or by a symbol they define', () => {
    assert.equal(ranked({ query: 'Why does legacy.ts exist?' })[0], 'src/legacy.ts');
    assert.equal(ranked({ query: 'What calls `formatReceipt`?' })[0], 'src/format.ts');
    assert.equal(ranked({ query: 'see src/store.ts:12' })[0], 'src/store.ts');
    assert.equal(ranked({ openFiles: ['src/legacy.ts'] })[0], 'src/legacy.ts');
  });

  it('without a focus, ranks what is used most', () => {
    const order = ranked({});
    assert.deepEqual(order.slice(0, 3).sort(), ['src/format.ts', 'src/service.ts', 'src/store.ts']);
    assert.equal(
      focusRestartVector(paths, graph.definers, { query: 'nothing here matches', activeFile: 'not/indexed.ts' }),
      undefined,
    );
  });

  it('patches one file whose defined names stay the same, as a rebuild would', () => {
    const edited = file('src/service.ts', ['OrderService'], { OrderStore: 4 });
    const patched = graph.withFile(4, edited)!;
    const rebuilt = RepoGraph.build(files.map((f, i) => (i === 4 ? edited : f)));
    assert.deepEqual(
      [patched.offsets, patched.targets, patched.weights],
      [rebuilt.offsets, rebuilt.targets, rebuilt.weights],
    );
    assert.equal(patched.files[4], edited);
    assert.equal(graph.withFile(4, file('src/service.ts', ['OrderService', 'OrderQueue'])), undefined);
  });

  it('does not link through names defined in very many files', () => {
    const many = Array.from({ length: 30 }, (_, i) => file(`lib/m${String(i).padStart(2, '0')}.ts`, ['constructor']));
    const user = file('user.ts', [], { constructor: 3 });
    const big = RepoGraph.build([...many, user]);
    assert.equal(big.targets.length, 0);
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluateRepository, type QuestionOutcome } from '../../../scripts/contextEval/contextEvaluation';
import { loadEvalRepositories, locateRepository } from '../../../scripts/contextEval/evalQuestions';
import { packedSections, showsLines } from '../../../scripts/contextEval/packedSections';
import { qwen3Tokenizer } from '../text/qwen3TokenizerFixture';

/** The fixed subset: the first questions of the repositories every clone has (packages pinned by the lock). */
const SUBSET: Readonly<Record<string, number>> = { eslint: 5, 'openai-node': 5 };
const BUDGET = 16_384;
/**
 * Floors for the subset, one question below what was measured (10 of 10 definitions whole and 10 of 10 files
 * shown with definition excerpts; PageRank with named mentions alone had 1 and 1): a change that loses answers fails.
 */
const MIN_DEFINITION_WHOLE_SHARE = 0.9;
const MIN_FILE_SHOWN_SHARE = 0.9;

describe('context evaluation on labelled questions', () => {
  it('packs the answering code for the subset at least as often as the floors', async () => {
    const tokenizer = qwen3Tokenizer();
    const counter = { count: (text: string) => tokenizer.countPlainText(text) };
    const outcomes: QuestionOutcome[] = [];
    for (const repository of loadEvalRepositories()) {
      const count = SUBSET[repository.id];
      if (count === undefined) continue;
      const root = locateRepository(repository);
      assert.ok(root !== undefined, `${repository.root} is missing: run npm ci`);
      const evaluation = await evaluateRepository(
        repository,
        root,
        [BUDGET],
        counter,
        repository.questions.slice(0, count),
      );
      outcomes.push(...evaluation.outcomes);
      // Without a question the block shows what the project is: its README and its manifest.
      assert.deepEqual(evaluation.noQuestion, [{ budget: BUDGET, readmeShown: true, manifestShown: true }]);
    }
    assert.equal(outcomes.length, 10);
    const share = (hit: (o: QuestionOutcome) => boolean): number => outcomes.filter(hit).length / outcomes.length;
    const missed = (hit: (o: QuestionOutcome) => boolean): string =>
      outcomes
        .filter((o) => !hit(o))
        .map((o) => o.question.q)
        .join('\n');
    assert.ok(
      share((o) => o.definitionWhole) >= MIN_DEFINITION_WHOLE_SHARE,
      `answering definitions shown whole below the floor; missed:\n${missed((o) => o.definitionWhole)}`,
    );
    assert.ok(
      share((o) => o.fileShown) >= MIN_FILE_SHOWN_SHARE,
      `answering files shown below the floor; missed:\n${missed((o) => o.fileShown)}`,
    );
  });
});

describe('packed block reading', () => {
  const block =
    '<|repo_name|>demo\n' +
    '<|file_sep|>src/a.ts\nexport const a = 1;\n' +
    '<|file_sep|>src/b.ts (excerpt)\n⋮\n3│function b() {\n4│  return 2;\n5│}\n⋮\n' +
    '<|file_sep|>[files not shown in full]\nsrc/c.ts\n' +
    '<|file_sep|>[about this context]\nRepository context.\n';
  const paths = new Set(['src/a.ts', 'src/b.ts', 'src/c.ts']);

  it('gives each shown file its text, a noted path included, and no text to a listed path', () => {
    assert.deepEqual(
      [...packedSections(block, paths)],
      [
        ['src/a.ts', 'export const a = 1;\n'],
        ['src/b.ts', '⋮\n3│function b() {\n4│  return 2;\n5│}\n⋮\n'],
      ],
    );
  });

  it('finds a definition verbatim or as numbered lines, and misses it when one line is left out', () => {
    const content = 'x\ny\nfunction b() {\n  return 2;\n}\n';
    const section = packedSections(block, paths).get('src/b.ts') ?? '';
    assert.equal(showsLines(section, content, 3, 5), true);
    assert.equal(showsLines(section, content, 2, 5), false);
    assert.equal(showsLines('function b() {\n  return 2;\n}\n', content, 3, 5), true);
    assert.equal(showsLines('3│function b() {\n5│}\n', content, 3, 5), false);
    assert.equal(showsLines('1│x\n2│y\n3│funct…\n', content, 1, 3), true);
  });

  it('takes the highest installed version for a root ending in *', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-eval-'));
    try {
      for (const name of ['python3.9', 'python3.11', 'python3', 'other']) mkdirSync(join(dir, name));
      const root = locateRepository({ id: 'py', root: join(dir, 'python3.*'), language: 'python', questions: [] });
      assert.equal(root, join(dir, 'python3.11'));
      assert.equal(
        locateRepository({ id: 'none', root: join(dir, 'ruby*'), language: 'ruby', questions: [] }),
        undefined,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

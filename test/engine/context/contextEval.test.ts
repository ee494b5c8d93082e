import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateRepository, type QuestionOutcome } from '../../../scripts/contextEval/contextEvaluation';
import { loadEvalRepositories, locateRepository } from '../../../scripts/contextEval/evalQuestions';
import { qwen3Tokenizer } from '../text/qwen3TokenizerFixture';

/** The fixed subset: the first questions of the repositories every clone has (packages pinned by the lock). */
const SUBSET: Readonly<Record<string, number>> = { eslint: 5, 'openai-node': 5 };
const BUDGET = 16_384;
/**
 * Floors for the subset, from the packer of 7988c7b (PageRank with named mentions only): raise them as the
 * ranking improves, so that a change that loses answers fails here.
 */
const MIN_DEFINITION_WHOLE_SHARE = 0.1;
const MIN_FILE_SHOWN_SHARE = 0.1;

describe('context evaluation on labelled questions', () => {
  it('packs the answering code for the subset at least as often as the floors', async () => {
    const tokenizer = qwen3Tokenizer();
    const counter = { count: (text: string) => tokenizer.encodePlainText(text).length };
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

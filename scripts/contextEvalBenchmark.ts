// How well the context packer answers questions: the labelled set of bench/context/questions.json (real code
// nobody here wrote: packages in node_modules, Python's standard library, libstdc++'s headers), each repository
// indexed cold and packed with the real Qwen tokenizer, as `hearth context --query` does.
//   node --import tsx scripts/contextEvalBenchmark.ts [--repo ID…] [--budgets 8192,16384,32768] [--limit N]
//     [--question-share S] [--detail]
// Prints markdown tables: per repository and budget, the share of questions with an answering definition shown
// whole, with an answering file shown at all (not just its path), the mean reciprocal rank of the answering
// files in the ranking and the mean pack time; per repository, the cold index time and whether a pack with no
// question shows the root README and a manifest; with --detail, a row per question. Repositories not installed
// here are listed and skipped.
import { parseArgs } from 'node:util';
import { bundledQwen3Counter } from '../src/engine/text/bundledTokenizer';
import { evaluateRepository, type QuestionOutcome, type RepositoryEvaluation } from './contextEval/contextEvaluation';
import { loadEvalRepositories, locateRepository } from './contextEval/evalQuestions';

const { values } = parseArgs({
  options: {
    repo: { type: 'string', multiple: true },
    budgets: { type: 'string', default: '8192,16384,32768' },
    limit: { type: 'string' },
    'question-share': { type: 'string' },
    detail: { type: 'boolean', default: false },
  },
});
const budgets = values.budgets.split(',').map(Number);
const limit = values.limit === undefined ? undefined : Number(values.limit);
const questionShare = values['question-share'] === undefined ? undefined : Number(values['question-share']);

const counter = bundledQwen3Counter();

async function main(): Promise<void> {
  const evaluations: RepositoryEvaluation[] = [];
  for (const repository of loadEvalRepositories()) {
    if (values.repo !== undefined && !values.repo.includes(repository.id)) continue;
    const root = locateRepository(repository);
    if (root === undefined) {
      process.stderr.write(`${repository.id}: ${repository.root} is not installed here; skipped\n`);
      continue;
    }
    process.stderr.write(`${repository.id}: indexing ${root}\n`);
    const questions = repository.questions.slice(0, limit);
    evaluations.push(await evaluateRepository(repository, root, budgets, counter, questions, questionShare));
  }
  const tables = markdownTables(evaluations);
  if (values.detail) tables.push('', ...questionTable(evaluations));
  process.stdout.write(`${tables.join('\n')}\n`);
}

const percent = (share: number): string => `${(share * 100).toFixed(0)}%`;
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
const summary = (label: string, budget: number, outcomes: readonly QuestionOutcome[]): string =>
  row([
    label,
    String(budget),
    String(outcomes.length),
    percent(mean(outcomes.map((o) => (o.definitionWhole ? 1 : 0)))),
    percent(mean(outcomes.map((o) => (o.fileShown ? 1 : 0)))),
    mean(outcomes.map((o) => o.reciprocalRank)).toFixed(2),
    mean(outcomes.map((o) => o.packMs)).toFixed(0),
  ]);

function markdownTables(evaluations: readonly RepositoryEvaluation[]): string[] {
  const lines = [
    row(['repository', 'budget', 'questions', 'definition whole', 'file shown', 'MRR', 'pack ms']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const budget of budgets) {
    for (const evaluation of evaluations)
      lines.push(
        summary(
          evaluation.repository.id,
          budget,
          evaluation.outcomes.filter((o) => o.budget === budget),
        ),
      );
    lines.push(
      summary(
        '**all**',
        budget,
        evaluations.flatMap((e) => e.outcomes.filter((o) => o.budget === budget)),
      ),
    );
  }
  const yesNo = (shown: readonly (boolean | undefined)[]): string =>
    shown[0] === undefined ? 'n/a' : shown.map((s) => (s ? 'yes' : 'no')).join(' / ');
  lines.push(
    '',
    row(['repository', 'language', 'files', 'index cold s', `README shown (${budgets.join(' / ')})`, 'manifest shown']),
    row(['---', '---', '---:', '---:', '---', '---']),
    ...evaluations.map((e) =>
      row([
        e.repository.id,
        e.repository.language,
        String(e.files),
        (e.indexMs / 1000).toFixed(1),
        yesNo(e.noQuestion.map((n) => n.readmeShown)),
        yesNo(e.noQuestion.map((n) => n.manifestShown)),
      ]),
    ),
  );
  return lines;
}

/** Per question: the answering file's rank, and per budget whether its definition (D) or file (F) was shown. */
function questionTable(evaluations: readonly RepositoryEvaluation[]): string[] {
  const lines = [
    row(['repository', 'question', 'rank', ...budgets.map(String)]),
    row(['---', '---', '---:', ...budgets.map(() => '---')]),
  ];
  for (const evaluation of evaluations) {
    for (const question of evaluation.repository.questions) {
      const outcomes = evaluation.outcomes.filter((o) => o.question === question);
      if (outcomes.length === 0) continue;
      const { reciprocalRank } = outcomes[0];
      lines.push(
        row([
          evaluation.repository.id,
          question.q,
          reciprocalRank === 0 ? '–' : String(Math.round(1 / reciprocalRank)),
          ...outcomes.map((o) => (o.definitionWhole ? 'D' : o.fileShown ? 'F' : '·')),
        ]),
      );
    }
  }
  return lines;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

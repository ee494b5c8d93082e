/**
 * Runs the labelled questions of one repository through the real index and packer: for each budget, a pack
 * with no question (are the README and a manifest shown?) and one per question (is an answering definition
 * shown whole, an answering file shown at all, and where does the ranking put the answering files?).
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { RepositoryIndex } from '../../src/engine/context/repositoryIndex';
import type { TokenCounter } from '../../src/engine/context/tokenCountCache';
import { DefinitionSpans, type DefinitionSpan } from './definitionSpans';
import type { EvalQuestion, EvalRepository } from './evalQuestions';
import { packedSections, showsLines } from './packedSections';

export interface QuestionOutcome {
  readonly question: EvalQuestion;
  readonly budget: number;
  readonly definitionWhole: boolean;
  readonly fileShown: boolean;
  /** 1 / (1 + position of the first answering file in the ranking). */
  readonly reciprocalRank: number;
  readonly packMs: number;
}

export interface NoQuestionOutcome {
  readonly budget: number;
  /** Undefined when the repository has no root README (or no manifest). */
  readonly readmeShown: boolean | undefined;
  readonly manifestShown: boolean | undefined;
}

export interface RepositoryEvaluation {
  readonly repository: EvalRepository;
  readonly root: string;
  readonly files: number;
  readonly indexMs: number;
  readonly noQuestion: readonly NoQuestionOutcome[];
  readonly outcomes: readonly QuestionOutcome[];
}

/** Root files that say what a project is and how it builds. */
const MANIFEST_NAMES: ReadonlySet<string> = new Set([
  'package.json',
  'pyproject.toml',
  'setup.py',
  'setup.cfg',
  'Cargo.toml',
  'go.mod',
  'CMakeLists.txt',
  'meson.build',
  'configure.ac',
  'Makefile',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'Gemfile',
  'composer.json',
]);

interface AnswerTarget extends DefinitionSpan {
  readonly path: string;
  readonly content: string;
}

/**
 * Throws when none of a question's files is in the index (one may be missing: a module that became a package in
 * a later version) or a labelled definition is in none of them.
 */
export async function evaluateRepository(
  repository: EvalRepository,
  root: string,
  budgets: readonly number[],
  counter: TokenCounter,
  questions: readonly EvalQuestion[] = repository.questions,
  questionShare?: number,
): Promise<RepositoryEvaluation> {
  const started = performance.now();
  const index = await RepositoryIndex.open({
    roots: [root],
    ...(repository.excludes && { excludes: [...repository.excludes] }),
  });
  const indexMs = performance.now() - started;
  try {
    const paths = new Set(index.files().map((file) => file.path));
    const targets = await answerTargets(repository.id, root, paths, questions);
    const rootFiles = [...paths].filter((path) => !path.includes('/'));
    const readme = rootFiles.find((path) => /^readme(\.[a-z]+)?$/i.test(path));
    const manifests = rootFiles.filter((path) => MANIFEST_NAMES.has(path));
    const shown = (sections: Map<string, string>, path: string): boolean => (sections.get(path) ?? '').trim() !== '';

    const noQuestion: NoQuestionOutcome[] = [];
    const outcomes: QuestionOutcome[] = [];
    for (const budget of budgets) {
      // Also warms the packer's token counts, as an editor's first pack would.
      const plain = packedSections(index.pack({ budget, questionShare }, counter).text, paths);
      noQuestion.push({
        budget,
        readmeShown: readme === undefined ? undefined : shown(plain, readme),
        manifestShown: manifests.length === 0 ? undefined : manifests.some((path) => shown(plain, path)),
      });
      for (const question of questions) {
        const packed = index.pack({ budget, questionShare, focus: { query: question.q } }, counter);
        const sections = packedSections(packed.text, paths);
        const position = index
          .rank({ query: question.q })
          .findIndex((entry) => question.files.includes(rankedPath(entry)));
        outcomes.push({
          question,
          budget,
          definitionWhole: (targets.get(question) ?? []).some((target) => {
            const section = sections.get(target.path);
            return section !== undefined && showsLines(section, target.content, target.line, target.endLine);
          }),
          fileShown: question.files.some((path) => shown(sections, path)),
          reciprocalRank: position === -1 ? 0 : 1 / (position + 1),
          packMs: packed.stats.elapsedMs,
        });
      }
    }
    return { repository, root, files: paths.size, indexMs, noQuestion, outcomes };
  } finally {
    await index.dispose();
  }
}

/** The definitions each question's labels name, with their full line ranges. */
async function answerTargets(
  id: string,
  root: string,
  paths: ReadonlySet<string>,
  questions: readonly EvalQuestion[],
): Promise<Map<EvalQuestion, AnswerTarget[]>> {
  const spans = new DefinitionSpans();
  const cache = new Map<string, { content: string; spans: DefinitionSpan[] }>();
  const targets = new Map<EvalQuestion, AnswerTarget[]>();
  try {
    for (const question of questions) {
      const found: AnswerTarget[] = [];
      const present = question.files.filter((path) => paths.has(path));
      if (present.length === 0)
        throw new Error(`${id}: "${question.q}" names ${question.files.join(', ')}, none of which the index holds`);
      for (const path of present) {
        let file = cache.get(path);
        if (file === undefined) {
          const content = readFileSync(join(root, ...path.split(posix.sep)), 'utf8');
          file = { content, spans: await spans.of(path, content) };
          cache.set(path, file);
        }
        for (const label of question.definitions)
          for (const span of matching(file.spans, label)) found.push({ ...span, path, content: file.content });
      }
      for (const label of question.definitions) {
        if (!found.some((target) => target.name === label.slice(label.lastIndexOf('.') + 1)))
          throw new Error(`${id}: "${question.q}" names ${label}, which none of ${question.files.join(', ')} defines`);
      }
      targets.set(question, found);
    }
    return targets;
  } finally {
    spans.dispose();
  }
}

/** A ranking entry is a file, or a file with the signals that placed it. */
function rankedPath(entry: { readonly path: string } | { readonly file: { readonly path: string } }): string {
  return 'file' in entry ? entry.file.path : entry.path;
}

/** Spans named `label`; `Outer.name` takes those of `name` inside a span of `Outer`. */
function matching(spans: readonly DefinitionSpan[], label: string): DefinitionSpan[] {
  const dot = label.lastIndexOf('.');
  const name = label.slice(dot + 1);
  const outer = dot === -1 ? undefined : label.slice(0, dot);
  return spans.filter(
    (span) =>
      span.name === name &&
      (outer === undefined ||
        spans.some((o) => o.name === outer && o.line <= span.line && o.endLine >= span.endLine && o !== span)),
  );
}

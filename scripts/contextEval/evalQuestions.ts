/**
 * The labelled evaluation set of bench/context/questions.json: repositories nobody here wrote, questions asked
 * the way users ask, each labelled with the files and definitions that answer it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface EvalQuestion {
  readonly q: string;
  /** Index paths relative to the repository root; any one answers. */
  readonly files: readonly string[];
  /** Definition names as the index's queries give them, `Outer.name` to pick one of several; any one answers. */
  readonly definitions: readonly string[];
}

export interface EvalRepository {
  readonly id: string;
  /** Relative to this repository's root, or absolute; a last segment with `*` takes the highest version. */
  readonly root: string;
  readonly language: string;
  readonly excludes?: readonly string[];
  readonly questions: readonly EvalQuestion[];
}

// From __filename: tsx gives a module imported from an ES module its own __filename but not its __dirname.
const REPO_ROOT = resolve(dirname(__filename), '../..');
export const QUESTIONS_PATH = join(REPO_ROOT, 'bench/context/questions.json');

export function loadEvalRepositories(path = QUESTIONS_PATH): EvalRepository[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { repositories?: unknown };
  if (!Array.isArray(parsed.repositories)) throw new Error(`${path} has no "repositories" list`);
  for (const repo of parsed.repositories as EvalRepository[]) {
    const questions: unknown = repo.questions;
    if (typeof repo.id !== 'string' || typeof repo.root !== 'string' || !Array.isArray(questions))
      throw new Error(`${path}: every repository needs an id, a root and questions`);
    for (const question of repo.questions) {
      if (typeof question.q !== 'string' || question.files.length === 0 || question.definitions.length === 0)
        throw new Error(`${path}: a question of ${repo.id} lacks its text, files or definitions`);
    }
  }
  return parsed.repositories as EvalRepository[];
}

/** The absolute root folder of a repository, or undefined when it is not installed on this machine. */
export function locateRepository(repo: EvalRepository): string | undefined {
  const root = isAbsolute(repo.root) ? repo.root : join(REPO_ROOT, repo.root);
  const last = root.slice(root.lastIndexOf('/') + 1);
  if (!last.includes('*')) return existsSync(root) ? root : undefined;
  const parent = dirname(root);
  if (!existsSync(parent)) return undefined;
  const pattern = new RegExp(`^${last.split('*').map(escapeRegExp).join('[0-9.]+')}$`);
  const versions = readdirSync(parent)
    .filter((name) => pattern.test(name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return versions.length === 0 ? undefined : join(parent, versions[versions.length - 1]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

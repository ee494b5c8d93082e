/**
 * Where the user's attention is, as a PageRank restart vector: the active file, the open files, and the files
 * a question names, by path or by a symbol they define. Ranking then favours these files and what they use.
 */
import { posix } from 'node:path';
import { MAX_DEFINERS_PER_NAME } from './repoGraph';

export interface ContextFocus {
  /** Index path or absolute path of the file in the active editor. */
  readonly activeFile?: string;
  /** Index paths or absolute paths of the other open editors. */
  readonly openFiles?: readonly string[];
  /** The user's question: paths, file names and symbol names in it pull the files they name. */
  readonly query?: string;
  /** Index paths of the files edited most recently, most recent first (the index keeps them). */
  readonly recentFiles?: readonly string[];
}

/** Restart weights; only their ratios matter. */
const ACTIVE_FILE_WEIGHT = 8;
const OPEN_FILE_WEIGHT = 2;
/** Shared among the recently edited files, more to the most recent. */
const RECENT_EDITS_WEIGHT = 2;
const MENTIONED_PATH_WEIGHT = 4;
/** Shared among the files defining a mentioned name. */
const MENTIONED_NAME_WEIGHT = 4;
/** A file name that matches more files than this (`index.ts`) points at none of them. */
const MAX_FILES_PER_MENTION = 5;
/** Shorter words in a question are too often English to stand for a symbol. */
const MIN_MENTIONED_NAME_CHARS = 3;

/**
 * The restart vector over `paths` (sorted index paths, node order of the graph), or undefined when the focus
 * names nothing in the index (plain PageRank). `definers` maps a name to the indices that define it. Focus
 * paths must be index paths here; RepositoryIndex resolves absolute ones.
 */
export function focusRestartVector(
  paths: readonly string[],
  definers: ReadonlyMap<string, readonly number[]>,
  focus: ContextFocus,
): Float64Array | undefined {
  const weights = new Float64Array(paths.length);
  let any = false;
  const add = (indices: readonly number[], weight: number): void => {
    for (const index of indices) weights[index] += weight / indices.length;
    any ||= indices.length > 0;
  };
  const indexOf = (path: string): number[] => {
    const index = binarySearch(paths, path);
    return index === -1 ? [] : [index];
  };
  if (focus.activeFile !== undefined) add(indexOf(focus.activeFile), ACTIVE_FILE_WEIGHT);
  for (const path of focus.openFiles ?? []) add(indexOf(path), OPEN_FILE_WEIGHT);
  const recent = focus.recentFiles ?? [];
  recent.forEach((path, i) =>
    add(indexOf(path), (RECENT_EDITS_WEIGHT * 2 * (recent.length - i)) / (recent.length * (recent.length + 1))),
  );
  if (focus.query !== undefined && focus.query.trim() !== '') {
    for (const indices of mentionedFiles(paths, focus.query)) add(indices, MENTIONED_PATH_WEIGHT);
    for (const name of mentionedNames(focus.query)) {
      const definedIn = definers.get(name);
      if (definedIn !== undefined && definedIn.length <= MAX_DEFINERS_PER_NAME) add(definedIn, MENTIONED_NAME_WEIGHT);
    }
  }
  return any ? weights : undefined;
}

/**
 * Identifiers the query names: anything in backticks, and elsewhere words that cannot be plain English
 * (`parseConfig`, `MAX_SIZE`, `Tokenizer`), so that "how does the packer count tokens" names nothing.
 */
function mentionedNames(query: string): Set<string> {
  const names = new Set<string>();
  const identifiers = (text: string): string[] =>
    (text.match(/[A-Za-z_$][\w$]*/g) ?? []).filter((name) => name.length >= MIN_MENTIONED_NAME_CHARS);
  for (const [, quoted] of query.matchAll(/`([^`]+)`/g)) for (const name of identifiers(quoted)) names.add(name);
  for (const name of identifiers(query.replace(/`[^`]*`/g, ' '))) if (!/^[a-z]+$/.test(name)) names.add(name);
  return names;
}

/**
 * For each path-like word of the query, the files it names: a whole path, a path suffix, a file name or stem.
 * Line suffixes (`a.ts:12:3`, `a.ts#L12`) and sentence punctuation are dropped first.
 */
function mentionedFiles(paths: readonly string[], query: string): number[][] {
  const words = new Set(
    query
      .split(/[\s"'`()<>[\]{},;!?*]+/)
      .map((word) =>
        word
          .replaceAll('\\', '/')
          .replace(/^\.\//, '')
          .replace(/(?::\d+)+$|#L\d+.*$/, '')
          .replace(/[.:]+$/, ''),
      )
      .filter((word) => word.length >= MIN_MENTIONED_NAME_CHARS),
  );
  if (words.size === 0) return [];
  const byName = new Map<string, number[]>();
  paths.forEach((path, index) => {
    const name = posix.basename(path);
    const stem = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
    for (const key of stem.length >= MIN_MENTIONED_NAME_CHARS ? [name, stem] : [name]) {
      const list = byName.get(key);
      if (list === undefined) byName.set(key, [index]);
      else list.push(index);
    }
  });
  const mentions: number[][] = [];
  for (const word of words) {
    if (word.includes('/')) {
      const matches: number[] = [];
      paths.forEach((path, index) => {
        if (path === word || path.endsWith(`/${word}`)) matches.push(index);
      });
      if (matches.length > 0 && matches.length <= MAX_FILES_PER_MENTION) mentions.push(matches);
    } else {
      const matches = byName.get(word);
      if (matches !== undefined && matches.length <= MAX_FILES_PER_MENTION) mentions.push(matches);
    }
  }
  return mentions;
}

function binarySearch(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const probe = sorted[mid];
    if (probe === value) return mid;
    if (probe < value) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/**
 * Which paths of one workspace root the scanner leaves out: exclude globs (VS Code's `files.exclude`, Hearth's
 * own setting, the default vendored folders), then git's ignore files with git's precedence: a deeper
 * `.gitignore` overrides a shallower one, `.gitignore` overrides `.git/info/exclude`, and within a file the
 * last matching pattern wins, so `!negations` re-include. A file inside an ignored folder stays ignored, as in
 * git, because the scanner never enters that folder.
 */
import { stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { readBoundedFile } from './boundedFileRead';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';

/** Never indexed, whatever the settings say. */
export const ALWAYS_SKIPPED_NAMES: ReadonlySet<string> = new Set(['.git']);

/** Folders of other people's code and tool state; replaceable through ScanOptions.defaultExcludes. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '**/node_modules',
  '**/bower_components',
  '**/jspm_packages',
  '**/vendor',
  '**/Pods',
  '**/.yarn',
  '**/.pnpm-store',
  '**/.hg',
  '**/.svn',
  '**/CVS',
  '**/__pycache__',
  '**/.venv',
  '**/venv',
  '**/.tox',
  '**/.mypy_cache',
  '**/.pytest_cache',
  '**/.ruff_cache',
  '**/.gradle',
  '**/.idea',
  '**/.vs',
  '**/.next',
  '**/.nuxt',
  '**/.turbo',
  '**/.terraform',
  '**/.DS_Store',
];

export const GITIGNORE_FILE = '.gitignore';
/**
 * Larger ignore files, and ones that are not regular files (a link to a device or a pipe), are left out unread,
 * as git leaves out an overly large one.
 */
export const MAX_IGNORE_FILE_BYTES = 1024 * 1024;
const INFO_EXCLUDE_FILE = '.git/info/exclude';

export type ExclusionReason = 'excluded' | 'ignored';

export interface IgnoreRulesOptions {
  /** Globs matched against root-relative paths, e.g. `**\/dist` or `docs/generated/**`. */
  readonly excludes: readonly string[];
  readonly useGitignore: boolean;
}

/** Ignore files of one folder, lowest precedence first. */
type FolderRules = readonly Ignore[];

export class IgnoreRules {
  private readonly isExcludedByGlob: (path: string) => boolean;
  private readonly folders = new Map<string, Promise<FolderRules>>();
  private readonly caseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

  constructor(
    private readonly rootPath: string,
    private readonly options: IgnoreRulesOptions,
  ) {
    this.isExcludedByGlob = compileGlobs(options.excludes, this.caseInsensitive);
  }

  /**
   * Why `path` (root-relative, posix) is left out, or undefined when it is not. Assumes its parent folders
   * were checked already, as a walk from the root does; use `checkWithParents` for a lone path.
   */
  async check(path: string, isDirectory: boolean): Promise<ExclusionReason | undefined> {
    if (ALWAYS_SKIPPED_NAMES.has(posix.basename(path))) return 'excluded';
    if (this.isExcludedByGlob(path) || (isDirectory && this.isExcludedByGlob(`${path}/`))) return 'excluded';
    if (!this.options.useGitignore) return undefined;
    // Deepest folder first: the first ignore file with an opinion on the path decides.
    const parents = parentFolders(path);
    for (let i = parents.length - 1; i >= 0; i--) {
      const folder = parents[i];
      const relative = folder === '' ? path : path.slice(folder.length + 1);
      const rules = await this.rulesOf(folder);
      for (let j = rules.length - 1; j >= 0; j--) {
        const result = rules[j].test(isDirectory ? `${relative}/` : relative);
        if (result.ignored) return 'ignored';
        if (result.unignored) return undefined;
      }
    }
    return undefined;
  }

  /** Like `check`, for a path whose parent folders may themselves be excluded (file events). */
  async checkWithParents(path: string, isDirectory: boolean): Promise<ExclusionReason | undefined> {
    const parents = parentFolders(path).slice(1);
    for (const folder of parents) {
      const reason = await this.check(folder, true);
      if (reason !== undefined) return reason;
    }
    return this.check(path, isDirectory);
  }

  /** Forgets the ignore files read so far, after one of them changed. */
  reload(): void {
    this.folders.clear();
  }

  private rulesOf(folder: string): Promise<FolderRules> {
    let rules = this.folders.get(folder);
    if (rules === undefined) {
      rules = this.loadRules(folder);
      this.folders.set(folder, rules);
    }
    return rules;
  }

  private async loadRules(folder: string): Promise<FolderRules> {
    const absolute = join(this.rootPath, folder);
    const rules: Ignore[] = [];
    const hasGitFolder = await stat(join(absolute, '.git')).then(
      (s) => s.isDirectory(),
      () => false,
    );
    for (const file of hasGitFolder ? [INFO_EXCLUDE_FILE, GITIGNORE_FILE] : [GITIGNORE_FILE]) {
      const bytes = await readBoundedFile(join(absolute, file), MAX_IGNORE_FILE_BYTES);
      if (typeof bytes !== 'string')
        rules.push(ignore({ ignorecase: this.caseInsensitive }).add(bytes.toString('utf8')));
    }
    return rules;
  }
}

/** Whether a root-relative path is a file whose change alters the rules. */
export function isIgnoreFile(path: string): boolean {
  return (
    posix.basename(path) === GITIGNORE_FILE || path === INFO_EXCLUDE_FILE || path.endsWith(`/${INFO_EXCLUDE_FILE}`)
  );
}

/** '' (the root) and every folder above `path`: 'a/b/c' → ['', 'a', 'a/b']. */
function parentFolders(path: string): string[] {
  const folders = [''];
  for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) folders.push(path.slice(0, at));
  return folders;
}

function compileGlobs(globs: readonly string[], caseInsensitive: boolean): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  try {
    return picomatch([...globs], { dot: true, nocase: caseInsensitive });
  } catch (error) {
    throw new EngineError(
      EngineErrorCode.InvalidParams,
      `An exclude pattern is not a valid glob: ${(error as Error).message}`,
      'Fix the pattern in files.exclude or hearth.context.exclude.',
    );
  }
}

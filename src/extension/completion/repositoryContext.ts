import type { CancellationToken } from 'vscode-jsonrpc';
import type { ContextPackParams, ContextPackResult } from '../../shared/protocol';
import type { ContextSnippet } from './completionPrompt';

export type PackRepository = (params: ContextPackParams, token?: CancellationToken) => Promise<ContextPackResult>;

export interface RepositoryContextOptions {
  /** Tokens of repository context per prompt (the engine counts them with the model's tokenizer). */
  readonly budgetTokens: number;
  /** Packs at most this often: each new pack changes the start of the prompt, so the prefix cache starts over. */
  readonly minIntervalMs: number;
  /** After a failed pack (no index yet), wait this long before trying again. */
  readonly retryMs: number;
  readonly now: () => number;
}

export const DEFAULT_REPOSITORY_CONTEXT_OPTIONS: RepositoryContextOptions = {
  budgetTokens: 512,
  minIntervalMs: 30_000,
  retryMs: 60_000,
  now: () => Date.now(),
};

export interface RepositoryFocus {
  /** Absolute path of the file being edited. */
  readonly activeFile: string;
  readonly openFiles: readonly string[];
  /** Names near the cursor, so that the files defining them rank first. */
  readonly query: string;
}

export interface RefreshOptions {
  readonly ignoreInterval?: boolean;
}

/**
 * Definitions of the names near the cursor, from the engine's repository index: a small `context/pack` around
 * the active file, asked for in the background when the active file changes (at most every `minIntervalMs`) and
 * kept between keystrokes so that the prompt's first block stays the same. Without an index there is none.
 */
export class RepositoryContext {
  private current: { activeFile: string; snippets: ContextSnippet[] } | undefined;
  private lastAttempt = -Infinity;
  private failedAt = -Infinity;
  private inFlight: Promise<void> | undefined;
  private readonly options: RepositoryContextOptions;

  constructor(
    private readonly pack: PackRepository,
    options: Partial<RepositoryContextOptions> = {},
  ) {
    this.options = { ...DEFAULT_REPOSITORY_CONTEXT_OPTIONS, ...options };
  }

  /** The last pack's files, the file being edited left out (the prompt shows it around the cursor). */
  snippets(activePath: string): ContextSnippet[] {
    return (this.current?.snippets ?? []).filter((snippet) => !sameFile(snippet.path, activePath));
  }

  /**
   * Packs again in the background when the focus moved to another file and the interval allows. Resolves when
   * the pack in flight, if any, has settled (never rejects). With `ignoreInterval` (a warm-up, about to send the
   * whole prompt anyway) it packs regardless of the interval, after the pack in flight for another focus.
   */
  refresh(focus: RepositoryFocus, { ignoreInterval = false }: RefreshOptions = {}): Promise<void> {
    if (this.inFlight !== undefined)
      return ignoreInterval ? this.inFlight.then(() => this.refresh(focus, { ignoreInterval })) : this.inFlight;
    const now = this.options.now();
    if (now - this.failedAt < this.options.retryMs || this.current?.activeFile === focus.activeFile)
      return Promise.resolve();
    if (!ignoreInterval && now - this.lastAttempt < this.options.minIntervalMs) return Promise.resolve();
    this.lastAttempt = now;
    const params: ContextPackParams = {
      budget: this.options.budgetTokens,
      format: 'qwen',
      focus: {
        activeFile: focus.activeFile,
        openFiles: [...focus.openFiles],
        ...(focus.query !== '' && { query: focus.query }),
      },
    };
    this.inFlight = this.pack(params)
      .then(
        (result) =>
          void (this.current = { activeFile: focus.activeFile, snippets: parseQwenRepositoryBlock(result.text) }),
      )
      .catch(() => void (this.failedAt = this.options.now()))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Packs again at the next refresh (the index changed under it: a save, a new file). */
  invalidate(): void {
    this.current = undefined;
  }
}

/**
 * The files of a repository block in Qwen's format (`<|repo_name|>name`, then `<|file_sep|>path` + content per
 * file), without the list of files not shown and the summary.
 */
export function parseQwenRepositoryBlock(text: string): ContextSnippet[] {
  const snippets: ContextSnippet[] = [];
  for (const section of text.split('<|file_sep|>').slice(1)) {
    const newline = section.indexOf('\n');
    const path = newline < 0 ? section : section.slice(0, newline);
    if (path.startsWith('[')) continue; // "[files not shown in full]" and the summary
    const content = newline < 0 ? '' : section.slice(newline + 1);
    if (content.trim() !== '') snippets.push({ path, text: content });
  }
  return snippets;
}

/** Pack paths are relative to their root; the editor's may carry the root's name in a multi-root workspace. */
function sameFile(packPath: string, activePath: string): boolean {
  return packPath === activePath || activePath.endsWith(`/${packPath}`) || packPath.endsWith(`/${activePath}`);
}

import { CancellationTokenSource, type CancellationToken } from 'vscode-jsonrpc';
import type { CompletionCacheKey } from './completionCache';

export interface GenerationResult {
  /** The suggestion at the generation's own position; undefined for none. */
  readonly text: string | undefined;
  /** The provider's own work on the answer (post-processing). */
  readonly workMs: number;
}

/** An edit of a document, as VS Code reports it: the range replaced (positions before the edit) and the new text. */
export interface DocumentEdit {
  readonly documentId: string;
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
  readonly text: string;
}

export interface PendingOptions {
  /** A generation is cut off after this long; its output so far is used. */
  readonly timeBudgetMs: number;
  /**
   * How long a generation nobody waits for may go on: VS Code cancels the provider's token on every keystroke and
   * calls it again about 50 ms later, and that next call may want this generation's answer.
   */
  readonly orphanGraceMs: number;
}

/**
 * The one `complete` request in flight, with a child CancellationTokenSource that the user (a keystroke that
 * cannot use it), the time budget and the orphan grace period all cancel, disposed when the request settles.
 *
 * It serves later positions on the same line too: while the user types the first characters of what it is
 * writing, it keeps running and answers them with the rest.
 */
export class PendingGeneration {
  private readonly source = new CancellationTokenSource();
  private readonly budgetTimer: NodeJS.Timeout;
  private graceTimer: NodeJS.Timeout | undefined;
  private waiters = 0;
  /** Where the cursor is once the characters typed since the request are in: typing there keeps it alive. */
  private expected: { line: number; character: number };
  private settled = false;
  /** Why it was cancelled, if it was. */
  cancelledBy: 'user' | 'budget' | undefined;
  readonly done: Promise<GenerationResult>;

  constructor(
    readonly documentId: string,
    readonly key: CompletionCacheKey,
    position: { line: number; character: number },
    run: (token: CancellationToken, generation: PendingGeneration) => Promise<GenerationResult>,
    private readonly options: PendingOptions,
  ) {
    this.expected = { ...position };
    this.budgetTimer = setTimeout(() => this.cancel('budget'), options.timeBudgetMs);
    this.done = run(this.source.token, this).finally(() => {
      this.settled = true;
      clearTimeout(this.budgetTimer);
      if (this.graceTimer) clearTimeout(this.graceTimer);
      this.source.dispose();
    });
  }

  get isSettled(): boolean {
    return this.settled;
  }

  /** This generation's answer can serve `key`: same model and surroundings, and the line typed further. */
  canServe(documentId: string, key: CompletionCacheKey): boolean {
    return (
      this.cancelledBy !== 'user' &&
      documentId === this.documentId &&
      key.model === this.key.model &&
      key.before === this.key.before &&
      key.suffix === this.key.suffix &&
      key.linePrefix.startsWith(this.key.linePrefix)
    );
  }

  /** Its answer for the caller, or undefined when the caller's token is cancelled first. */
  async wait(token: CancellationToken): Promise<GenerationResult | undefined> {
    if (token.isCancellationRequested) return undefined;
    this.waiters++;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    let subscription: { dispose(): void } | undefined;
    try {
      return await Promise.race([
        this.done,
        new Promise<undefined>((resolve) => {
          subscription = token.onCancellationRequested(() => resolve(undefined));
        }),
      ]);
    } finally {
      subscription?.dispose();
      this.waiters--;
      if (this.waiters === 0 && !this.settled)
        this.graceTimer = setTimeout(() => this.cancel('user'), this.options.orphanGraceMs);
    }
  }

  /** A keystroke: typing at the expected place keeps the generation; any other edit of its document ends it. */
  noteEdit(edit: DocumentEdit): void {
    if (this.settled || edit.documentId !== this.documentId) return;
    const { start, end, text } = edit;
    const typedAhead =
      start.line === this.expected.line &&
      start.character === this.expected.character &&
      end.line === start.line &&
      end.character === start.character;
    if (typedAhead && !text.includes('\n')) this.expected.character += text.length;
    else this.cancel('user');
  }

  cancel(reason: 'user' | 'budget'): void {
    if (this.settled || this.cancelledBy !== undefined) return;
    this.cancelledBy = reason;
    this.source.cancel();
  }
}

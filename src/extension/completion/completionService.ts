import type { CancellationToken } from 'vscode-jsonrpc';
import { EngineError } from '../../shared/engineError';
import {
  EngineErrorCode,
  type CompleteParams,
  type CompleteResult,
  type ModelKind,
  type ModelRole,
} from '../../shared/protocol';
import { CompletionCache, type CompletionCacheKey } from './completionCache';
import { CompletionDrops } from './completionDrops';
import type { ContextSnippet } from './completionPrompt';
import { completionShape, type CompletionShape } from './completionShape';
import { emptyStats, type CompletionStats } from './completionStats';
import { postProcessCompletion } from './completionPostProcessor';
import {
  cursorWindows,
  DEFAULT_WINDOW_LIMITS,
  type CursorWindows,
  type TextLines,
  type WindowLimits,
} from './cursorWindows';
import { PendingGeneration, type DocumentEdit, type GenerationResult, type PendingOptions } from './pendingGeneration';
import { buildCompletionPrompt, type PromptStyle } from './promptStyle';

/** What the provider knows about one request for a suggestion. */
export interface CompletionRequest {
  /** The document's URI, as a string. */
  readonly documentId: string;
  /** Workspace-relative. */
  readonly path: string;
  readonly languageId: string;
  readonly lines: TextLines;
  readonly position: { readonly line: number; readonly character: number };
  /** Asked for explicitly (a command or key), not by typing: no debounce. */
  readonly explicit: boolean;
}

export interface CompletionModel {
  /** Identifies the model and its prompt style in the cache. */
  readonly key: string;
  /** The engine model that completes: the completion model, or the chat model when none is configured. */
  readonly role: ModelRole;
  readonly style: PromptStyle;
  readonly kind: ModelKind | null;
}

/** The engine and the editor, narrowed to what the service needs (fakes in tests). */
export interface CompletionDependencies {
  /** The model to complete with, loaded if need be; undefined when none is configured. */
  model(token: CancellationToken): Promise<CompletionModel | undefined>;
  /** The model to complete with if it is loaded now (warm-ups never load one). */
  loadedModel(): CompletionModel | undefined;
  complete(params: CompleteParams, token: CancellationToken): Promise<CompleteResult>;
  /** Snippets for the prompt, slowest-changing first. */
  snippets(request: CompletionRequest, windows: CursorWindows): readonly ContextSnippet[];
  /** The name of the workspace folder the document is in. */
  repoName(request: CompletionRequest): string;
  log?(line: string): void;
  /** The drop hint (`drops.hint`) appeared or went away. */
  onDropHintChange?(): void;
}

export interface CompletionServiceOptions extends PendingOptions {
  /** Read on every request, so the setting applies at once. */
  readonly debounceMs: () => number;
  readonly windowLimits: WindowLimits;
  readonly now: () => number;
}

interface GenerationContext {
  readonly request: CompletionRequest;
  readonly windows: CursorWindows;
  readonly shape: CompletionShape;
  readonly style: PromptStyle;
  readonly key: CompletionCacheKey;
}

export const DEFAULT_SERVICE_OPTIONS: CompletionServiceOptions = {
  debounceMs: () => 150,
  timeBudgetMs: 3000,
  orphanGraceMs: 200,
  windowLimits: DEFAULT_WINDOW_LIMITS,
  now: () => performance.now(),
};

/**
 * The inline-completion policy behind the VS Code provider: cache (with typed-ahead), reuse of the generation in
 * flight, debounce, prompt, one cancellable `complete` request at a time under a time budget, post-processing.
 */
export class CompletionService {
  readonly stats: CompletionStats = emptyStats();
  readonly cache = new CompletionCache();
  /** Requests that showed nothing, by reason (counted in `stats.dropped`), and the hint they call for. */
  readonly drops: CompletionDrops;
  private pending: PendingGeneration | undefined;
  private readonly options: CompletionServiceOptions;

  constructor(
    private readonly deps: CompletionDependencies,
    options: Partial<CompletionServiceOptions> = {},
  ) {
    this.options = { ...DEFAULT_SERVICE_OPTIONS, ...options };
    this.drops = new CompletionDrops(this.stats.dropped, () => this.deps.onDropHintChange?.());
  }

  /** The text to insert at the cursor, or undefined. Never throws: failures are logged and counted. */
  async provide(request: CompletionRequest, token: CancellationToken): Promise<string | undefined> {
    const arrived = this.options.now();
    this.stats.provided++;
    // Read the document now: it may change while the model is awaited (the token is cancelled then).
    const windows = cursorWindows(request.lines, request.position, this.options.windowLimits);
    const overhead = { ms: this.options.now() - arrived };
    const model = await this.deps.model(token).catch((error: unknown) => this.fail('the completion model', error));
    if (model === undefined || token.isCancellationRequested) return undefined;
    const key: CompletionCacheKey = {
      model: model.key,
      before: windows.before,
      linePrefix: windows.linePrefix,
      suffix: windows.lineSuffix + windows.after,
    };

    const early = await this.reuse(request, key, overhead, token);
    if (early.answered) return early.text;
    if (!request.explicit && !(await this.debounce(arrived, token))) {
      this.stats.debounced++;
      return undefined;
    }
    // Another call for this place may have started a generation meanwhile.
    const late = await this.reuse(request, key, overhead, token);
    if (late.answered) return late.text;

    const work = this.options.now();
    const shape = completionShape(windows);
    const params = this.paramsFor(model, request, windows, shape);
    overhead.ms += this.options.now() - work;
    const context: GenerationContext = { request, windows, shape, style: model.style, key };
    const generation = new PendingGeneration(
      request.documentId,
      key,
      request.position,
      (engineToken, self) => this.generate(params, context, self, engineToken),
      this.options,
    );
    this.pending = generation;
    void generation.done.then(() => {
      if (this.pending === generation) this.pending = undefined;
    });
    const result = await generation.wait(token);
    return result === undefined ? undefined : this.answer(result.text ?? '', overhead.ms + result.workMs);
  }

  /**
   * Sends the prompt `provide` would send at this place as a warm-up (the engine fills its prefix cache at the
   * lowest priority), so that the first keystroke's request there computes only what the typing changed.
   * Only with the model already loaded; nothing is shown or cached. Never throws: resolves true when the warm-up
   * ran to its end, false when it was cancelled, failed or had no model.
   */
  async warm(request: CompletionRequest, token: CancellationToken): Promise<boolean> {
    const model = this.deps.loadedModel();
    if (model === undefined || token.isCancellationRequested) return false;
    const windows = cursorWindows(request.lines, request.position, this.options.windowLimits);
    this.stats.warmUpsSent++;
    try {
      await this.deps.complete(
        { ...this.paramsFor(model, request, windows, completionShape(windows)), warmUp: true },
        token,
      );
    } catch (error) {
      if (!token.isCancellationRequested) this.fail('a warm-up', error);
      return false;
    }
    if (token.isCancellationRequested) return false;
    this.stats.warmUpsFinished++;
    return true;
  }

  private paramsFor(
    model: CompletionModel,
    request: CompletionRequest,
    windows: CursorWindows,
    shape: CompletionShape,
  ): CompleteParams {
    const prompt = buildCompletionPrompt(model.style, model.kind, {
      repoName: this.deps.repoName(request),
      snippets: this.deps.snippets(request, windows),
      path: request.path,
      languageId: request.languageId,
      windows,
      shape,
    });
    return { prompt: prompt.parts, maxTokens: prompt.maxTokens, stop: prompt.stop, model: model.role };
  }

  /**
   * An answer without a new generation: from the cache (typed-ahead included), or from the generation in flight
   * when the user has typed the start of what it writes. A generation in flight that cannot serve is cancelled.
   */
  private async reuse(
    request: CompletionRequest,
    key: CompletionCacheKey,
    overhead: { ms: number },
    token: CancellationToken,
  ): Promise<{ answered: boolean; text?: string }> {
    const work = this.options.now();
    const hit = this.cache.lookup(key);
    overhead.ms += this.options.now() - work;
    if (hit !== undefined) {
      this.stats.cacheHits++;
      if (hit.typedAhead > 0) this.stats.typedAheadHits++;
      return { answered: true, text: this.answer(hit.text, overhead.ms) };
    }
    const pending = this.pending;
    if (!pending || pending.isSettled) return { answered: false };
    if (!pending.canServe(request.documentId, key)) {
      pending.cancel('user');
      return { answered: false };
    }
    const result = await pending.wait(token);
    if (result === undefined) return { answered: true }; // this call was cancelled meanwhile
    const typed = key.linePrefix.slice(pending.key.linePrefix.length);
    if (result.text === undefined || result.text.length <= typed.length || !result.text.startsWith(typed))
      return { answered: false };
    this.stats.reusedPending++;
    return { answered: true, text: this.answer(result.text.slice(typed.length), overhead.ms) };
  }

  /** Document edits, for the generation in flight: typing ahead keeps it, anything else cancels it. */
  noteEdit(edit: DocumentEdit): void {
    this.pending?.noteEdit(edit);
  }

  /** Cancels the generation in flight (completions turned off, the model changed). */
  cancelPending(): void {
    this.pending?.cancel('user');
  }

  /** Runs one `complete` request and turns its output into a suggestion; never rejects. */
  private async generate(
    params: CompleteParams,
    context: GenerationContext,
    generation: PendingGeneration,
    token: CancellationToken,
  ): Promise<GenerationResult> {
    this.stats.engineRequests++;
    this.stats.engineInFlight++;
    const sent = this.options.now();
    let result: CompleteResult | undefined;
    try {
      result = await this.deps.complete(params, token);
    } catch (error) {
      if (error instanceof EngineError && error.code === EngineErrorCode.TooManyRequests) this.drops.drop('modelBusy');
      else if (!token.isCancellationRequested) {
        this.stats.engineErrors++;
        this.fail('a completion request', error);
      }
    } finally {
      this.stats.engineInFlight--;
    }
    if (generation.cancelledBy === 'user') {
      this.stats.engineCancelled++;
      this.drops.drop('cancelled');
    }
    if (generation.cancelledBy === 'budget') this.stats.budgetExpired++;
    if (result === undefined) return { text: undefined, workMs: 0 };

    const requestMs = this.options.now() - sent;
    const work = this.options.now();
    const truncated = result.finishReason === 'cancelled';
    const text = postProcessCompletion(result.text, {
      windows: context.windows,
      shape: context.shape,
      style: context.style,
      truncated,
    });
    // A cut-short answer is not what the model says given the time: a later request may do better.
    if (!truncated) this.cache.store(context.key, text ?? '');
    if (generation.cancelledBy === 'budget' && !text) this.drops.drop('overBudget');
    const { line, character } = context.request.position;
    this.stats.last = {
      line,
      character,
      style: context.style,
      shape: context.shape,
      finishReason: result.finishReason,
      usage: result.usage,
      text: text ?? '',
      requestMs,
    };
    return { text, workMs: this.options.now() - work };
  }

  /** Waits until `debounceMs` after the request arrived; false when a newer keystroke cancelled it first. */
  private debounce(arrived: number, token: CancellationToken): Promise<boolean> {
    const remaining = arrived + this.options.debounceMs() - this.options.now();
    if (token.isCancellationRequested) return Promise.resolve(false);
    if (remaining <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        subscription.dispose();
        resolve(!token.isCancellationRequested);
      }, remaining);
      const subscription = token.onCancellationRequested(() => {
        clearTimeout(timer);
        subscription.dispose();
        resolve(false);
      });
    });
  }

  private answer(text: string, overheadMs: number): string | undefined {
    this.stats.lastOverheadMs = overheadMs;
    if (text === '') return undefined;
    this.stats.suggestions++;
    this.drops.shown();
    return text;
  }

  private fail(what: string, error: unknown): undefined {
    this.deps.log?.(`[completion] ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

import * as vscode from 'vscode';
import type { ModelInfo } from '../../shared/protocol';
import type { EngineSupervisor } from '../engineSupervisor';
import type { ModelSession } from '../model/modelSession';
import type { RepositoryPrefixState } from './repositoryPrefixState';
import type { WorkspaceContext } from './workspaceContext';

export interface RepositoryPrefillDependencies {
  engine: Pick<EngineSupervisor, 'request' | 'onNotification'>;
  models: Pick<ModelSession, 'model' | 'onDidChangeModel'>;
  workspace: Pick<WorkspaceContext, 'hasFolders' | 'sync' | 'budgetFor' | 'questionShare' | 'onDidChangeContent'>;
  /** `hearth.context.prefillInBackground`. */
  enabled: () => boolean;
  log: (line: string) => void;
  /** How long edits must pause before the prefix is computed again. */
  settleMs?: number;
}

const SETTLE_MS = 5_000;

/**
 * Has the engine compute the repository prefix (context/prefill) once a chat model is loaded, indexing the
 * workspace first if need be, and again once edits settle; a newer run cancels the one before, which keeps
 * what it computed. The engine runs it below every request, so it never holds up a question or a completion.
 */
export class RepositoryPrefill implements vscode.Disposable {
  private readonly stateEmitter = new vscode.EventEmitter<RepositoryPrefixState | undefined>();
  /** Progress, ready, or undefined when there is no prefix (off, no folder, no model, a failure). */
  readonly onDidChangeState = this.stateEmitter.event;
  private current: RepositoryPrefixState | undefined;
  /** What the running or finished run computed: model, budget and content version. */
  private key: string | undefined;
  private run: vscode.CancellationTokenSource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly deps: RepositoryPrefillDependencies) {
    this.disposables = [
      this.stateEmitter,
      deps.models.onDidChangeModel(() => {
        this.key = undefined; // a new load (or a new engine process): nothing of the old prefix is known
        this.schedule(0);
      }),
      deps.workspace.onDidChangeContent(() => this.schedule(deps.settleMs ?? SETTLE_MS)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('hearth.context')) this.schedule(0);
      }),
    ];
    this.schedule(0);
  }

  get state(): RepositoryPrefixState | undefined {
    return this.current;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.wantedFor(this.deps.models.model) === undefined) return this.stop();
    this.timer = setTimeout(() => void this.start(), delayMs);
  }

  private wantedFor(model: ModelInfo | undefined): ModelInfo | undefined {
    return this.deps.enabled() && this.deps.workspace.hasFolders && model?.kind ? model : undefined;
  }

  private async start(): Promise<void> {
    const model = this.wantedFor(this.deps.models.model);
    if (model === undefined) return this.stop();
    const source = new vscode.CancellationTokenSource();
    try {
      const version = await this.deps.workspace.sync(source.token);
      const budget = this.deps.workspace.budgetFor(model);
      const { questionShare } = this.deps.workspace;
      const key = JSON.stringify([model.path, model.contextLength, budget, questionShare, version]);
      if (key === this.key) return; // the running or finished run is of this very prefix
      this.run?.cancel();
      this.run = source;
      this.key = key;
      await this.prefill(budget, questionShare, source);
    } catch (error) {
      if (source.token.isCancellationRequested) return;
      if (this.run === source) this.key = undefined;
      this.set(undefined);
      this.deps.log(`[hearth] repository prefill failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      if (this.run === source) this.run = undefined;
      source.dispose();
    }
  }

  private async prefill(budget: number, questionShare: number, source: vscode.CancellationTokenSource): Promise<void> {
    const progress = this.deps.engine.onNotification('context/prefillProgress', ({ done, total }) => {
      if (this.run === source) this.set({ phase: 'preparing', done, total });
    });
    try {
      const result = await this.deps.engine.request(
        'context/prefill',
        { budget, format: 'markdown', questionShare }, // as the chat packs its block
        source.token,
      );
      if (this.run !== source || result.cancelled) return;
      this.set({ phase: 'ready', tokens: result.tokens, diskTokens: result.diskTokens });
      this.deps.log(
        `[hearth] repository prefix ready: ${result.tokens} tokens (${result.cachedTokens} found cached, ${result.diskTokens} of them on disk)`,
      );
    } finally {
      progress.dispose();
    }
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.run?.cancel();
    this.run = undefined;
    this.key = undefined;
    this.set(undefined);
  }

  private set(state: RepositoryPrefixState | undefined): void {
    if (state === undefined && this.current === undefined) return;
    this.current = state;
    this.stateEmitter.fire(state);
  }

  dispose(): void {
    this.stop();
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

import * as vscode from 'vscode';
import { EngineError } from '../../shared/engineError';
import {
  EngineErrorCode,
  type ContextFileChange,
  type ContextIndexParams,
  type ContextPackParams,
  type ContextPackResult,
  type ModelInfo,
} from '../../shared/protocol';
import type { CancellationToken } from 'vscode-jsonrpc';
import { raceCancellation } from '../cancellation';
import type { EngineSupervisor } from '../engineSupervisor';
import { ChangeQueue, type ChangeKind } from './changeQueue';
import { hearthSetting } from '../hearthSetting';
import { contextBudget } from './contextBudget';
import { contextExcludes } from './contextExcludes';
import { IndexProgressEstimate, type IndexProgressView } from './indexProgress';

interface IndexRun {
  generation: number;
  key: string;
  done: Promise<void>;
  cancel: vscode.CancellationTokenSource;
  /** Cancelled because the folders or excludes changed: waiters move on to the run that replaced it. */
  superseded: boolean;
}

/** `context/update` takes at most 10,000 changes; a build or checkout can make more. */
const MAX_CHANGES_PER_UPDATE = 5_000;

/**
 * The engine's index of the workspace folders, kept current: indexed on first use (progress in the status
 * bar), again after an engine restart or a change of folders or excludes; file events and unsaved editor
 * contents go to `context/update`, debounced and batched. `contentVersion` changes whenever what a pack would
 * see changes, so a conversation knows when its repository block is stale.
 */
export class WorkspaceContext implements vscode.Disposable {
  private engineGeneration = 0;
  private indexed: { generation: number; key: string } | undefined;
  private indexing: IndexRun | undefined;
  /** Indexed once: keep it current from then on (after restarts and setting changes). */
  private wanted = false;
  private version = 0;
  /** Files whose unsaved contents the engine holds: closing them must bring back the disk's. */
  private readonly unsavedSent = new Set<string>();
  private readonly queue: ChangeQueue;
  private readonly indexingEmitter = new vscode.EventEmitter<IndexProgressView | undefined>();
  /** Indexing progress as it is reported, and undefined when indexing ends: for the chat header. */
  readonly onDidChangeIndexing = this.indexingEmitter.event;
  private readonly contentEmitter = new vscode.EventEmitter<number>();
  /** The content version, whenever what a pack would see changed (an index built, files updated). */
  readonly onDidChangeContent = this.contentEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly engine: EngineSupervisor,
    private readonly log: (line: string) => void,
  ) {
    this.queue = new ChangeQueue({
      delayMs: 300,
      maxDelayMs: 2_000,
      send: (changes) => this.send(changes),
      onError: (error) =>
        this.log(`[hearth] context/update failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.disposables.push(
      this.indexingEmitter,
      this.contentEmitter,
      watcher,
      watcher.onDidCreate((uri) => this.onFileEvent(uri, 'created')),
      watcher.onDidChange((uri) => this.onFileEvent(uri, 'changed')),
      watcher.onDidDelete((uri) => this.onFileEvent(uri, 'deleted')),
      // Also fires with no content change when only the dirty state changes: a revert (closing without saving
      // reverts without touching the text) must bring the disk's contents back.
      vscode.workspace.onDidChangeTextDocument((event) => this.onDocumentEvent(event.document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.onDocumentEvent(document)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (this.unsavedSent.has(document.uri.fsPath)) this.queue.add(document.uri.fsPath, 'changed');
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.invalidate()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('files.exclude') || event.affectsConfiguration('hearth.context.exclude'))
          this.invalidate();
      }),
      engine.onDidChangeState(({ state }) => {
        if (state !== 'ready') return;
        this.engineGeneration++; // a new engine process: the old index is gone with the old one
        if (this.wanted) this.reindexInBackground();
      }),
    );
  }

  /** Whether there is a folder to index (chat still works without one, with no repository block). */
  get hasFolders(): boolean {
    return this.roots().length > 0;
  }

  /** The budget to pack at for a model: `hearth.context.maxTokens`, 0 choosing from the context length. */
  budgetFor(model: ModelInfo): number {
    return contextBudget(hearthSetting('context.maxTokens'), model.contextLength);
  }

  /** Indexes if need be and sends pending changes; returns the content version a pack now sees. */
  async sync(token?: CancellationToken): Promise<number> {
    await this.ensureIndexed(token);
    await raceCancellation(this.queue.flush(), token);
    return this.version;
  }

  /** `hearth.context.questionShare`: how much of a block is packed for its request. */
  get questionShare(): number {
    return hearthSetting('context.questionShare');
  }

  /** The repository block (after `sync`), its split between overview and request as the setting says. */
  async pack(params: ContextPackParams, token?: CancellationToken): Promise<ContextPackResult> {
    await this.sync(token);
    return this.engine.request('context/pack', { questionShare: this.questionShare, ...params }, token);
  }

  /** Indexes the workspace folders unless this engine already has them indexed with these excludes. */
  async ensureIndexed(token?: CancellationToken): Promise<void> {
    this.wanted = true;
    await raceCancellation(this.engine.ready(), token);
    const params = this.indexParams();
    const key = JSON.stringify(params);
    const generation = this.engineGeneration;
    if (this.indexed?.generation === generation && this.indexed.key === key) return;
    if (this.indexing?.generation !== generation || this.indexing.key !== key) {
      this.supersedeIndexing();
      const cancel = new vscode.CancellationTokenSource();
      const done = this.index(params, key, generation, cancel.token).finally(() => {
        cancel.dispose();
        if (this.indexing?.done === done) this.indexing = undefined;
      });
      this.indexing = { generation, key, done, cancel, superseded: false };
    }
    const run = this.indexing;
    try {
      await raceCancellation(run.done, token);
    } catch (error) {
      if (run.superseded && !token?.isCancellationRequested) return this.ensureIndexed(token);
      throw error;
    }
  }

  private async index(
    params: ContextIndexParams,
    key: string,
    generation: number,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const stats = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Hearth' },
      async (progress) => {
        const estimate = new IndexProgressEstimate();
        progress.report({ message: 'Indexing the workspace…' });
        this.indexingEmitter.fire({ message: 'Indexing the workspace…' });
        const subscription = this.engine.onNotification('context/progress', (event) => {
          const view = estimate.update(event);
          progress.report({ message: view.message });
          this.indexingEmitter.fire(view);
        });
        try {
          return await this.engine.request('context/index', params, token);
        } finally {
          subscription.dispose();
          this.indexingEmitter.fire(undefined);
        }
      },
    );
    if (generation !== this.engineGeneration) return; // the engine restarted meanwhile; the next use indexes again
    this.indexed = { generation, key };
    this.contentChanged();
    this.log(
      `[hearth] indexed ${stats.files} files (${stats.lastScan.parsed} parsed, ${stats.lastScan.reused} reused) in ${Math.round(stats.lastScan.elapsedMs)} ms`,
    );
    // The index read the disk: bring back what editors hold unsaved.
    this.unsavedSent.clear();
    for (const document of vscode.workspace.textDocuments)
      if (document.isDirty && this.isWorkspaceFile(document.uri)) this.queue.add(document.uri.fsPath, 'changed');
  }

  private indexParams(): ContextIndexParams {
    const roots = this.roots();
    if (roots.length === 0)
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        'No folder is open.',
        'Open a folder (File > Open Folder) to give Hearth a repository.',
      );
    const excludes = contextExcludes(
      vscode.workspace.getConfiguration('files').get('exclude'),
      hearthSetting('context.exclude'),
    );
    return { roots, excludes };
  }

  private roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((folder) => folder.uri.scheme === 'file')
      .map((folder) => folder.uri.fsPath);
  }

  private supersedeIndexing(): void {
    if (!this.indexing) return;
    this.indexing.superseded = true;
    this.indexing.cancel.cancel();
    this.indexing = undefined;
  }

  private invalidate(): void {
    this.indexed = undefined;
    this.supersedeIndexing();
    this.queue.clear();
    this.contentChanged();
    if (this.wanted) this.reindexInBackground();
  }

  private reindexInBackground(): void {
    this.ensureIndexed().catch((error: unknown) =>
      this.log(`[hearth] indexing failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private onFileEvent(uri: vscode.Uri, kind: ChangeKind): void {
    // Git's own bookkeeping changes on every command and is never context.
    if (uri.scheme !== 'file' || /[/\\]\.git([/\\]|$)/.test(uri.fsPath)) return;
    if (this.wanted) this.queue.add(uri.fsPath, kind);
  }

  private onDocumentEvent(document: vscode.TextDocument): void {
    if (this.wanted && this.isWorkspaceFile(document.uri)) this.queue.add(document.uri.fsPath, 'changed');
  }

  private isWorkspaceFile(uri: vscode.Uri): boolean {
    return uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(uri) !== undefined;
  }

  /** Sends a batch once the index it applies to exists; an open, modified editor's text stands for the disk's. */
  private async send(batch: readonly [string, ChangeKind][]): Promise<void> {
    await this.indexing?.done.catch(() => undefined);
    const generation = this.engineGeneration;
    if (this.indexed?.generation !== generation) return; // the next index reads the disk
    const changes = batch.map(([path, kind]) => this.changeFor(path, kind));
    for (let start = 0; start < changes.length; start += MAX_CHANGES_PER_UPDATE) {
      const result = await this.engine
        .request('context/update', { changes: changes.slice(start, start + MAX_CHANGES_PER_UPDATE) })
        .catch((error: unknown) => {
          // Sent as the engine restarted, it reached the new one before its index: that index reads the disk.
          if (generation !== this.engineGeneration) return undefined;
          throw error;
        });
      if (result === undefined) return;
      if (result.parsed.length > 0 || result.removed.length > 0 || result.rescanned) this.contentChanged();
    }
  }

  private contentChanged(): void {
    this.version++;
    this.contentEmitter.fire(this.version);
  }

  private changeFor(path: string, kind: ChangeKind): ContextFileChange {
    const document =
      kind === 'deleted'
        ? undefined
        : vscode.workspace.textDocuments.find(
            (candidate) => candidate.uri.scheme === 'file' && candidate.uri.fsPath === path,
          );
    if (document?.isDirty) {
      this.unsavedSent.add(path);
      return { path, kind: 'changed', content: document.getText() };
    }
    this.unsavedSent.delete(path);
    return { path, kind };
  }

  dispose(): void {
    this.supersedeIndexing();
    this.queue.dispose();
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

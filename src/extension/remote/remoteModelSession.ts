import * as vscode from 'vscode';
import type { ModelInfo, ModelRole } from '../../shared/protocol';
import { isCancellation } from '../cancellation';
import { describeError } from '../errorDescription';
import { hearthSetting } from '../hearthSetting';
import type { ModelSource } from '../model/modelSource';
import type { ModelStatus } from '../model/modelStatusText';
import type { RemoteModelLookup } from './remoteModelLookup';
import { remoteModelInfo } from './remoteModelInfo';

/**
 * A role's model on a remote server, for chat, Explain, refactors, completions and the status bar: "loading"
 * it finds it in the server's /v1/models (nothing loads on this machine) and starts the local engine process,
 * which indexes and packs the repository for it. Its context length is the server's.
 */
export class RemoteModelSession implements ModelSource, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ModelInfo | undefined>();
  readonly onDidChangeModel = this.changeEmitter.event;
  private readonly statusEmitter = new vscode.EventEmitter<ModelStatus>();
  readonly onDidChangeStatus = this.statusEmitter.event;
  private readonly failureEmitter = new vscode.EventEmitter<unknown>();
  readonly onDidFailInBackground = this.failureEmitter.event;
  private found: { info: ModelInfo; baseUrl: string } | undefined;
  private error: string | undefined;
  private tokensPerSecond: number | undefined;

  constructor(
    private readonly lookup: RemoteModelLookup,
    /** The local engine process, started with the first use: indexing and packing run there. */
    private readonly localEngine: { ready(): Promise<unknown> },
    readonly role: ModelRole = 'chat',
  ) {}

  /** A URL is set: the server serves every role. */
  get configured(): boolean {
    return hearthSetting('engine.url').trim() !== '';
  }

  get model(): ModelInfo | undefined {
    return this.found?.info;
  }

  get status(): ModelStatus {
    return {
      ...(this.found !== undefined && { model: this.found.info, server: this.found.baseUrl }),
      ...(this.tokensPerSecond !== undefined && { tokensPerSecond: this.tokensPerSecond }),
      ...(this.error !== undefined && { error: this.error }),
    };
  }

  async ensureLoaded(): Promise<ModelInfo> {
    try {
      const [{ server, model }] = await Promise.all([this.lookup.find(), this.localEngine.ready()]);
      const info = remoteModelInfo(model, {
        baseUrl: server.baseUrl,
        role: this.role,
        contextSetting: hearthSetting('model.contextLength'),
        fimRefused: this.lookup.hasRefusedFim(server),
      });
      const changed = JSON.stringify(info) !== JSON.stringify(this.found?.info);
      this.found = { info, baseUrl: server.baseUrl };
      this.error = undefined;
      if (changed) {
        this.tokensPerSecond = undefined;
        this.changeEmitter.fire(info);
      }
      this.statusEmitter.fire(this.status);
      return info;
    } catch (error) {
      if (!isCancellation(error)) {
        this.error = describeError(error).message;
        this.statusEmitter.fire(this.status);
      }
      throw error;
    }
  }

  loadInBackground(): void {
    this.ensureLoaded().catch((error: unknown) => {
      if (!isCancellation(error)) this.failureEmitter.fire(error);
    });
  }

  reportSpeed(tokensPerSecond: number): void {
    if (!Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) return;
    this.tokensPerSecond = tokensPerSecond;
    this.statusEmitter.fire(this.status);
  }

  /** The server's settings changed, or its model refused `suffix`: the model is looked up again. */
  forget(): void {
    const had = this.found !== undefined;
    this.found = undefined;
    this.error = undefined;
    this.tokensPerSecond = undefined;
    if (had) this.changeEmitter.fire(undefined);
    this.statusEmitter.fire(this.status);
  }

  dispose(): void {
    vscode.Disposable.from(this.changeEmitter, this.statusEmitter, this.failureEmitter).dispose();
  }
}

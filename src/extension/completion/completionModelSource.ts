import * as vscode from 'vscode';
import type { CancellationToken } from 'vscode-jsonrpc';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type ModelInfo, type ModelLoadParams, type WeightQuantization } from '../../shared/protocol';
import type { EngineSupervisor } from '../engineSupervisor';
import type { ModelSession } from '../model/modelSession';
import type { CompletionModel } from './completionService';
import { promptStyleFor, type CompletionModelOrigin } from './promptStyle';

/** Positions a completion-only model is loaded with: prompts stay around 3,000 tokens. */
const COMPLETION_CONTEXT_LENGTH = 8192;
/** After a failed load, keystrokes do not try again for this long (a settings change does). */
const RETRY_AFTER_FAILURE_MS = 30_000;

/** Narrowed for tests and to keep the dependency visible. */
type ChatModels = Pick<ModelSession, 'model' | 'ensureLoaded' | 'onDidChangeModel'>;

/**
 * Which model completes code. The engine serves one model at a time, so:
 * - with `hearth.model.path` set, the chat model (loaded through ModelSession, the one owner of that setting);
 * - with only `hearth.model.completionPath` set, that FIM model, loaded here;
 * - with neither, none (typing never opens the model picker).
 * Serving a separate completion model beside the chat model needs an engine that holds two models.
 */
export class CompletionModelSource implements vscode.Disposable {
  private own: { engineGeneration: number; params: ModelLoadParams; info: ModelInfo } | undefined;
  private loading: Promise<ModelInfo> | undefined;
  /** The last failed load; `at` undefined: the user declined it, so not again until the settings change. */
  private failure: { key: string; at: number | undefined } | undefined;
  private engineGeneration = 0;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly engine: EngineSupervisor,
    private readonly models: ChatModels,
    private readonly log: (line: string) => void,
  ) {
    this.subscriptions = [
      models.onDidChangeModel((info) => {
        if (info) this.own = undefined; // the chat model took the engine's place
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('hearth.model') || event.affectsConfiguration('hearth.engine') || event.affectsConfiguration('hearth.cacheDir')) {
          this.own = undefined;
          this.failure = undefined;
        }
      }),
      engine.onDidChangeState(({ state }) => {
        if (state === 'ready') this.engineGeneration++; // a model loaded in an earlier engine process is gone
      }),
    ];
  }

  /** The model to complete with, loaded if need be; undefined when none is configured or it cannot load. */
  async model(token: CancellationToken): Promise<CompletionModel | undefined> {
    const config = vscode.workspace.getConfiguration('hearth');
    const chatPath = config.get<string>('model.path', '').trim();
    const completionPath = config.get<string>('model.completionPath', '').trim();
    if (chatPath !== '') {
      const info = this.models.model ?? (await this.retrying(chatPath, () => this.models.ensureLoaded(), token));
      return info && describe(info, 'chat-model');
    }
    if (completionPath === '') return undefined;
    const params = completionModelParams(config, completionPath);
    const own = this.own;
    if (own && own.engineGeneration === this.engineGeneration && JSON.stringify(own.params) === JSON.stringify(params)) return describe(own.info, 'completion-model');
    const info = await this.retrying(completionPath, () => this.loadOwn(params), token);
    return info && describe(info, 'completion-model');
  }

  private async loadOwn(params: ModelLoadParams): Promise<ModelInfo> {
    const load = async (): Promise<ModelInfo> => {
      await this.engine.ready();
      const generation = this.engineGeneration;
      const { model } = await this.engine.request('model/load', params);
      this.own = { engineGeneration: generation, params, info: model };
      this.log(`[completion] loaded ${model.path} (${model.architecture}, ${promptStyleFor(model, 'completion-model')} prompts)`);
      return model;
    };
    this.loading ??= Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Hearth: loading the completion model' }, load)).finally(
      () => (this.loading = undefined),
    );
    return this.loading;
  }

  /** Waits for a load (which goes on whatever the caller does), remembering a failure so keystrokes do not retry it at once. */
  private async retrying(key: string, load: () => Promise<ModelInfo>, token: CancellationToken): Promise<ModelInfo | undefined> {
    const failure = this.failure;
    if (failure?.key === key && (failure.at === undefined || Date.now() - failure.at < RETRY_AFTER_FAILURE_MS)) return undefined;
    const work = load().catch((error: unknown) => {
      // Declined (a model that does not fit, a cancelled load): typing must not ask again.
      const declined = error instanceof EngineError && error.code === EngineErrorCode.Cancelled;
      this.failure = { key, at: declined ? undefined : Date.now() };
      this.log(`[completion] no completion model: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    let subscription: { dispose(): void } | undefined;
    try {
      return await Promise.race([work, new Promise<undefined>((resolve) => (subscription = token.onCancellationRequested(() => resolve(undefined))))]);
    } finally {
      subscription?.dispose();
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

function describe(info: ModelInfo, origin: CompletionModelOrigin): CompletionModel {
  const style = promptStyleFor(info, origin);
  return { key: `${info.path}\u0000${style}`, style, kind: info.kind };
}

function completionModelParams(config: vscode.WorkspaceConfiguration, path: string): ModelLoadParams {
  const threads = config.get<number>('engine.threads', 0);
  const cacheDir = config.get<string>('cacheDir', '').trim();
  return {
    path,
    quantization: config.get<WeightQuantization>('engine.quantization', 'int8'),
    contextLength: COMPLETION_CONTEXT_LENGTH,
    ...(threads > 0 && { threads }),
    ...(cacheDir !== '' && { cacheDir }),
  };
}

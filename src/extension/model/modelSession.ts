import * as vscode from 'vscode';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type ModelInfo, type ModelLoadParams } from '../../shared/protocol';
import type { EngineSupervisor } from '../engineSupervisor';
import { affectsModel, configuredModel } from './modelSettings';

/**
 * Keeps the configured model loaded in the engine: loads it on first use, again after the engine restarts
 * or the settings change, and shows the one-time weight conversion as a cancellable progress notification.
 */
export class ModelSession implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ModelInfo | undefined>();
  readonly onDidChangeModel = this.changeEmitter.event;

  private loaded: { engineGeneration: number; params: ModelLoadParams; info: ModelInfo } | undefined;
  private loading: Promise<ModelInfo> | undefined;
  /** Counts engine processes: a model loaded in an earlier one is gone. */
  private engineGeneration = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly engine: EngineSupervisor) {
    this.disposables.push(
      this.changeEmitter,
      engine.onDidChangeState(({ state }) => {
        if (state !== 'ready') return;
        this.engineGeneration++;
        if (this.loaded) this.reloadInBackground(); // the engine restarted: bring the model back
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (affectsModel(event) && this.loaded) this.reloadInBackground();
      }),
    );
  }

  /** The model being served, if one is loaded. */
  get model(): ModelInfo | undefined {
    return this.loaded?.engineGeneration === this.engineGeneration ? this.loaded.info : undefined;
  }

  /** The configured model, loaded if need be. Throws ModelNotFound (with what to do) when none is configured. */
  async ensureLoaded(): Promise<ModelInfo> {
    await this.engine.ready();
    const params = configuredModel();
    if (!params) {
      throw new EngineError(EngineErrorCode.ModelNotFound, 'No model is configured.', 'Set "hearth.model.path" to a Qwen3 checkpoint folder (Hugging Face layout).');
    }
    const current = this.model;
    if (current && JSON.stringify(this.loaded?.params) === JSON.stringify(params)) return current;
    this.loading ??= this.load(params).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private reloadInBackground(): void {
    this.loaded = undefined;
    this.changeEmitter.fire(undefined);
    this.ensureLoaded().catch(() => undefined); // the next request reports the error where the user sees it
  }

  private async load(params: ModelLoadParams): Promise<ModelInfo> {
    const generation = this.engineGeneration;
    const title = `Hearth: loading ${params.path.split(/[\\/]/).filter(Boolean).at(-1) ?? 'model'}`;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      let reported = 0;
      const subscription = this.engine.onNotification('model/progress', (event) => {
        if (event.path !== params.path) return;
        if (event.phase === 'loading') {
          progress.report({ message: 'opening the model…' });
          return;
        }
        const percent = (event.bytesDone / Math.max(event.bytesTotal, 1)) * 100;
        progress.report({ message: `converting the weights (first load only) ${percent.toFixed(0)}%`, increment: percent - reported });
        reported = percent;
      });
      try {
        return await this.engine.request('model/load', params, token);
      } finally {
        subscription.dispose();
      }
    });
    this.loaded = { engineGeneration: generation, params, info: result.model };
    this.changeEmitter.fire(result.model);
    return result.model;
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

import * as vscode from 'vscode';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type ModelInfo, type ModelLoadParams } from '../../shared/protocol';
import type { EngineSupervisor } from '../engineSupervisor';
import { modelName } from './modelPickItems';
import type { ModelPickPurpose } from './modelPicker';
import { affectsModel, configuredModel } from './modelSettings';
import type { ModelStatus } from './modelStatusText';

/** Opens the model picker the first time a model is needed and none is configured. */
export interface FirstModelChooser {
  choose(purpose: Extract<ModelPickPurpose, 'firstUse'>): Promise<string | undefined>;
}

const LOAD_ANYWAY = 'Load Anyway';

/**
 * Keeps the configured model loaded in the engine: asks for one on first use when none is configured, warns
 * before loading one that does not fit the free memory, loads it on first use, again after the engine restarts
 * or the settings change, and shows the one-time weight conversion as a cancellable progress notification.
 */
export class ModelSession implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ModelInfo | undefined>();
  readonly onDidChangeModel = this.changeEmitter.event;
  private readonly statusEmitter = new vscode.EventEmitter<ModelStatus>();
  /** Loading, loaded, or a new speed reported: for the status bar. */
  readonly onDidChangeStatus = this.statusEmitter.event;

  private loaded: { engineGeneration: number; params: ModelLoadParams; info: ModelInfo } | undefined;
  private loading: Promise<ModelInfo> | undefined;
  private loadingPath: string | undefined;
  private choosing: Promise<string | undefined> | undefined;
  private tokensPerSecond: number | undefined;
  /** Models the user chose to load although they do not fit ("Load Anyway"): not asked again this session. */
  private readonly acceptedMisfits = new Set<string>();
  /** Counts engine processes: a model loaded in an earlier one is gone. */
  private engineGeneration = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly engine: EngineSupervisor,
    private readonly chooser: FirstModelChooser,
  ) {
    this.disposables.push(
      this.changeEmitter,
      this.statusEmitter,
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

  get status(): ModelStatus {
    const model = this.model;
    return {
      ...(model !== undefined && { model }),
      ...(this.loadingPath !== undefined && { loading: this.loadingPath }),
      ...(this.tokensPerSecond !== undefined && { tokensPerSecond: this.tokensPerSecond }),
    };
  }

  /** Chat and completion report the decode speed of each answer here; the status bar shows the last one. */
  reportSpeed(tokensPerSecond: number): void {
    if (!Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) return;
    this.tokensPerSecond = tokensPerSecond;
    this.statusEmitter.fire(this.status);
  }

  /**
   * The configured model, loaded if need be. With none configured, the model picker opens first; ModelNotFound
   * when the user chooses none. Cancelled when the user declines a model that does not fit, or cancels the load.
   */
  async ensureLoaded(): Promise<ModelInfo> {
    await this.engine.ready();
    const params = configuredModel() ?? (await this.chooseFirstModel());
    const current = this.model;
    if (current && JSON.stringify(this.loaded?.params) === JSON.stringify(params)) return current;
    this.loading ??= this.load(params).finally(() => {
      this.loading = undefined;
      this.loadingPath = undefined;
      this.statusEmitter.fire(this.status);
    });
    return this.loading;
  }

  private async chooseFirstModel(): Promise<ModelLoadParams> {
    this.choosing ??= this.chooser.choose('firstUse').finally(() => (this.choosing = undefined));
    await this.choosing;
    const params = configuredModel();
    if (params) return params;
    throw new EngineError(EngineErrorCode.ModelNotFound, 'No model is chosen.', 'Run "Hearth: Select Model" to download one or choose a checkpoint folder.');
  }

  private reloadInBackground(): void {
    this.loaded = undefined;
    this.changeEmitter.fire(undefined);
    this.statusEmitter.fire(this.status);
    if (configuredModel() === undefined) return; // the setting was cleared: the next use asks for a model
    this.ensureLoaded().catch(() => undefined); // the next request reports the error where the user sees it
  }

  private async load(params: ModelLoadParams): Promise<ModelInfo> {
    const generation = this.engineGeneration;
    await this.confirmFit(params);
    this.loadingPath = params.path;
    this.statusEmitter.fire(this.status);
    const name = modelName(params.path);
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Hearth: loading ${name}`, cancellable: true }, async (progress, token) => {
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
      } catch (error) {
        if (token.isCancellationRequested) throw new EngineError(EngineErrorCode.Cancelled, `Loading ${name} was cancelled.`);
        throw error;
      } finally {
        subscription.dispose();
      }
    });
    this.loaded = { engineGeneration: generation, params, info: result.model };
    this.changeEmitter.fire(result.model);
    return result.model;
  }

  /** Asks before loading a model whose fit on this machine is "does not fit"; throws Cancelled when declined. */
  private async confirmFit(params: ModelLoadParams): Promise<void> {
    const key = `${params.path}\0${params.quantization ?? 'int8'}`;
    if (this.acceptedMisfits.has(key)) return;
    const { fit } = await this.engine.request('model/fit', { path: params.path, ...(params.quantization !== undefined && { quantization: params.quantization }) });
    if (fit.verdict !== 'does-not-fit') return;
    const name = modelName(params.path);
    const choice = await vscode.window.showWarningMessage(`${name} may not fit in this machine's free memory.`, { modal: true, detail: fit.message }, LOAD_ANYWAY);
    if (choice !== LOAD_ANYWAY) {
      throw new EngineError(EngineErrorCode.Cancelled, `Loading ${name} was cancelled: it does not fit the free memory.`, 'Choose a smaller model with "Hearth: Select Model".');
    }
    this.acceptedMisfits.add(key);
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

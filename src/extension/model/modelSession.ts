import * as vscode from 'vscode';
import { EngineError } from '../../shared/engineError';
import {
  EngineErrorCode,
  type LoadPlan,
  type ModelInfo,
  type ModelLoadParams,
  type ModelRole,
} from '../../shared/protocol';
import type { EngineSupervisor } from '../engineSupervisor';
import { EngineErrorWithSetting, loadContextSetting } from '../errorDescription';
import { ModelErrorState } from './modelErrorState';
import { modelName } from './modelPickItems';
import type { ModelPickPurpose } from './modelPicker';
import { affectsModel, configuredModel, configuredRoleModel } from './modelSettings';
import type { ModelSource } from './modelSource';
import type { ModelStatus } from './modelStatusText';

/** Opens the model picker the first time a model is needed and none is configured. */
export interface FirstModelChooser {
  choose(purpose: Extract<ModelPickPurpose, 'firstUse'>): Promise<string | undefined>;
}

const LOAD_ANYWAY = 'Load Anyway';

/** How a load's progress notification names the model of each role. */
const ROLE_TITLES: Readonly<Record<ModelRole, string>> = {
  chat: '',
  reasoning: 'the reasoning model ',
  completion: 'the completion model ',
};

/**
 * Keeps the model configured for a role loaded in the engine: for the chat model, asks for one on first use
 * when none is configured; warns before loading one that does not fit the free memory, loads it on first use,
 * again after the engine restarts or the settings change (and frees it when a reasoning or completion model's
 * setting is cleared), and shows the one-time weight conversion as a cancellable progress notification.
 */
export class ModelSession implements ModelSource, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ModelInfo | undefined>();
  readonly onDidChangeModel = this.changeEmitter.event;
  private readonly statusEmitter = new vscode.EventEmitter<ModelStatus>();
  /** Loading, loaded, or a new speed reported: for the status bar. */
  readonly onDidChangeStatus = this.statusEmitter.event;
  private readonly failureEmitter = new vscode.EventEmitter<unknown>();
  /** A load or check that no request waited for failed (a setting changed): the error, to show at once. */
  readonly onDidFailInBackground = this.failureEmitter.event;
  private readonly loadError = new ModelErrorState();

  private loaded: { engineGeneration: number; params: ModelLoadParams; info: ModelInfo } | undefined;
  private loading: Promise<ModelInfo> | undefined;
  private loadingPath: string | undefined;
  /** How far the load's one-time weight conversion is (0–100), once the engine reports it. */
  private loadingPercent: number | undefined;
  private choosing: Promise<string | undefined> | undefined;
  private tokensPerSecond: number | undefined;
  /** Models the user chose to load although they do not fit ("Load Anyway"): not asked again this session. */
  private readonly acceptedMisfits = new Set<string>();
  /** Counts engine processes: a model loaded in an earlier one is gone. */
  private engineGeneration = 0;
  private readonly disposables: vscode.Disposable[] = [];

  /** The chat model's session asks `chooser` on first use; the others have no chooser and never ask. */
  constructor(
    private readonly engine: EngineSupervisor,
    private readonly chooser: FirstModelChooser | undefined,
    readonly role: ModelRole = 'chat',
    /** The local engine serves models now (hearth.engine.kind "local"): while not, none loads in the background. */
    private readonly serving: () => boolean = () => true,
  ) {
    this.disposables.push(
      this.changeEmitter,
      this.statusEmitter,
      this.failureEmitter,
      engine.onDidChangeState(({ state }) => {
        // A model lives in one engine process: from the moment it stops, requests wait for the reload.
        this.engineGeneration++;
        if (state !== 'ready' || !this.serving()) return;
        if (this.loaded)
          this.reloadInBackground(); // the engine restarted: bring the model back
        else this.checkInBackground(); // a bad path configured before the engine started shows at once
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!affectsModel(event)) return;
        if (this.loadError.clear()) this.statusEmitter.fire(this.status);
        if (!this.serving()) return;
        if (this.loaded && JSON.stringify(this.loaded.params) !== JSON.stringify(this.configuredParams()))
          this.reloadInBackground();
        else if (!this.loaded) this.checkInBackground();
      }),
    );
  }

  /** The settings name a model for this role (the chat model's: hearth.model.path). */
  get configured(): boolean {
    return this.configuredParams() !== undefined;
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
      ...(this.loadingPath !== undefined &&
        this.loadingPercent !== undefined && { loadingPercent: this.loadingPercent }),
      ...(this.tokensPerSecond !== undefined && { tokensPerSecond: this.tokensPerSecond }),
      ...(this.loadError.message !== undefined && { error: this.loadError.message }),
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
    const params = this.configuredParams() ?? (await this.chooseFirstModel());
    const current = this.model;
    if (current && JSON.stringify(this.loaded?.params) === JSON.stringify(params)) return current;
    this.loading ??= this.load(params).finally(() => {
      this.loading = undefined;
      this.loadingPath = undefined;
      this.loadingPercent = undefined;
      this.statusEmitter.fire(this.status);
    });
    return this.loading;
  }

  /**
   * Loads the configured model for the first question without one waiting: a failure shows at once in the
   * status, and through onDidFailInBackground, as a changed setting's does.
   */
  loadInBackground(): void {
    this.ensureLoaded().catch((error: unknown) => this.failInBackground(error));
  }

  /** Frees the model this session loaded (model/unload), as when a remote server takes over; used again, it reloads. */
  async unload(): Promise<void> {
    await this.loading?.catch(() => undefined);
    if (this.model === undefined) return;
    this.loaded = undefined;
    this.changeEmitter.fire(undefined);
    this.statusEmitter.fire(this.status);
    await this.engine.request('model/unload', { role: this.role });
  }

  private configuredParams(): ModelLoadParams | undefined {
    return this.role === 'chat' ? configuredModel() : configuredRoleModel(this.role);
  }

  private async chooseFirstModel(): Promise<ModelLoadParams> {
    const chooser = this.chooser;
    if (chooser === undefined) {
      throw new EngineError(
        EngineErrorCode.ModelNotFound,
        `No ${this.role} model is configured.`,
        `Set "hearth.model.${this.role}Path" to a checkpoint folder.`,
      );
    }
    this.choosing ??= chooser.choose('firstUse').finally(() => (this.choosing = undefined));
    await this.choosing;
    const params = configuredModel();
    if (params) return params;
    throw new EngineError(
      EngineErrorCode.ModelNotFound,
      'No model is chosen.',
      'Run "Hearth: Select Model" to download one or choose a checkpoint folder.',
    );
  }

  private reloadInBackground(): void {
    const wasServing = this.model !== undefined;
    this.loaded = undefined;
    this.changeEmitter.fire(undefined);
    this.statusEmitter.fire(this.status);
    if (this.configuredParams() === undefined) {
      // The setting was cleared: the chat model's next use asks for one; another role's model is freed, its
      // requests going to the chat model from now on.
      if (this.role !== 'chat' && wasServing)
        this.engine.request('model/unload', { role: this.role }).catch(() => undefined);
      return;
    }
    this.ensureLoaded().catch((error: unknown) => this.failInBackground(error));
  }

  /**
   * A configured model that is not loaded yet: its folder is checked now, the engine started for it if need be, so
   * a bad path shows at once. A failed engine shows its own error.
   */
  private checkInBackground(): void {
    const params = this.configuredParams();
    if (params === undefined || this.engine.state.state === 'failed') return;
    this.engine
      .request('model/fit', {
        path: params.path,
        ...(params.quantization !== undefined && { quantization: params.quantization }),
        ...(params.kvCache !== undefined && { kvCache: params.kvCache }),
      })
      .catch((error: unknown) => {
        if (JSON.stringify(this.configuredParams()) === JSON.stringify(params)) this.failInBackground(error);
      });
  }

  private failInBackground(error: unknown): void {
    if (this.loadError.fail(error) === undefined) return;
    this.statusEmitter.fire(this.status);
    this.failureEmitter.fire(error);
  }

  private async load(params: ModelLoadParams): Promise<ModelInfo> {
    const generation = this.engineGeneration;
    const plan = await this.confirmFit(params);
    this.loadingPath = params.path;
    this.statusEmitter.fire(this.status);
    const name = modelName(params.path);
    const title = `Hearth: loading ${ROLE_TITLES[this.role]}${name}`;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const subscription = this.engine.onNotification('model/progress', (event) => {
          if (event.path !== params.path) return;
          if (event.phase === 'loading') {
            progress.report({ message: 'opening the model…' });
            return;
          }
          const percent = (event.bytesDone / Math.max(event.bytesTotal, 1)) * 100;
          progress.report({
            message: `converting the weights (first load only) ${percent.toFixed(0)}%`,
            increment: percent - reported,
          });
          reported = percent;
          if (Math.floor(percent) !== Math.floor(this.loadingPercent ?? -1)) {
            this.loadingPercent = percent;
            this.statusEmitter.fire(this.status);
          }
        });
        try {
          return await this.engine.request('model/load', { ...params, role: this.role, plan }, token);
        } catch (error) {
          if (token.isCancellationRequested)
            throw new EngineError(EngineErrorCode.Cancelled, `Loading ${name} was cancelled.`);
          // The context asked for at load does not fit: which of the model's settings fixes it depends on the load.
          if (error instanceof EngineError && error.code === EngineErrorCode.LoadContextTooLarge)
            throw new EngineErrorWithSetting(error, loadContextSetting(this.role, params.kvCache));
          throw error;
        } finally {
          subscription.dispose();
        }
      },
    );
    this.loaded = { engineGeneration: generation, params, info: result.model };
    this.loadError.clear();
    this.changeEmitter.fire(result.model);
    return result.model;
  }

  /**
   * The load's plan (model/fit's, which model/load then uses unchanged), after asking before loading a model whose
   * fit on this machine is "does not fit"; throws Cancelled when declined.
   */
  private async confirmFit(params: ModelLoadParams): Promise<LoadPlan> {
    const { fit, plan } = await this.engine.request('model/fit', {
      path: params.path,
      ...(params.quantization !== undefined && { quantization: params.quantization }),
      ...(params.kvCache !== undefined && { kvCache: params.kvCache }),
      ...(params.contextLength !== undefined && { contextLength: params.contextLength }),
    });
    const key = `${params.path}\0${params.quantization ?? 'int8'}\0${params.kvCache ?? 'auto'}`;
    if (fit.verdict !== 'does-not-fit' || this.acceptedMisfits.has(key)) return plan;
    const name = modelName(params.path);
    const choice = await vscode.window.showWarningMessage(
      `${name} may not fit in this machine's free memory.`,
      { modal: true, detail: fit.message },
      LOAD_ANYWAY,
    );
    if (choice !== LOAD_ANYWAY) {
      throw new EngineError(
        EngineErrorCode.Cancelled,
        `Loading ${name} was cancelled: it does not fit the free memory.`,
        'Choose a smaller model with "Hearth: Select Model".',
      );
    }
    this.acceptedMisfits.add(key);
    return plan;
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

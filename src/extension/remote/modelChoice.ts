import * as vscode from 'vscode';
import type { ModelInfo, ModelRole } from '../../shared/protocol';
import type { ModelRoleSource, ModelSource } from '../model/modelSource';
import type { ModelStatus } from '../model/modelStatusText';

/** The two ways of serving models, and which one serves now (hearth.engine.kind). */
export interface ModelChoiceOptions {
  /** The local engine's models: freed when the kind becomes remote, so a restart does not bring them back. */
  local: ModelRoleSource & { unload(): Promise<void> };
  remote: ModelRoleSource;
  isRemote: () => boolean;
  /** Fires when hearth.engine.kind changes. */
  onDidSwitch: vscode.Event<void>;
}

/**
 * The models by role from the engine that hearth.engine.kind names, switching with the setting: the chat model
 * that the chat view, Explain and the status bar hold is one source that follows the switch.
 */
export class ModelChoice implements ModelRoleSource, vscode.Disposable {
  readonly chat: ModelSource;
  private readonly completionEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCompletionModel = this.completionEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly options: ModelChoiceOptions) {
    const chat = new SwitchedModelSource(options, (roles) => roles.chat);
    this.chat = chat;
    const forward = (from: ModelRoleSource) => () => {
      if (this.current === from) this.completionEmitter.fire();
    };
    this.subscriptions = [
      chat,
      this.completionEmitter,
      options.local.onDidChangeCompletionModel(forward(options.local)),
      options.remote.onDidChangeCompletionModel(forward(options.remote)),
      options.onDidSwitch(() => this.completionEmitter.fire()),
      // An engine that cannot answer has lost its models anyway.
      options.onDidSwitch(() => options.isRemote() && void options.local.unload().catch(() => undefined)),
    ];
  }

  private get current(): ModelRoleSource {
    return this.options.isRemote() ? this.options.remote : this.options.local;
  }

  sessionFor(role: ModelRole): ModelSource {
    return this.current.sessionFor(role);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

/** One role's model from whichever engine serves now; its events follow that engine's, and fire on a switch. */
class SwitchedModelSource implements ModelSource, vscode.Disposable {
  private readonly modelEmitter = new vscode.EventEmitter<ModelInfo | undefined>();
  readonly onDidChangeModel = this.modelEmitter.event;
  private readonly statusEmitter = new vscode.EventEmitter<ModelStatus>();
  readonly onDidChangeStatus = this.statusEmitter.event;
  private readonly failureEmitter = new vscode.EventEmitter<unknown>();
  readonly onDidFailInBackground = this.failureEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly options: ModelChoiceOptions,
    private readonly pick: (roles: ModelRoleSource) => ModelSource,
  ) {
    const follow = (roles: ModelRoleSource): vscode.Disposable[] => {
      const source = pick(roles);
      const active = () => this.current === source;
      return [
        source.onDidChangeModel((model) => active() && this.modelEmitter.fire(model)),
        source.onDidChangeStatus((status) => active() && this.statusEmitter.fire(status)),
        source.onDidFailInBackground((error) => active() && this.failureEmitter.fire(error)),
      ];
    };
    this.subscriptions = [
      this.modelEmitter,
      this.statusEmitter,
      this.failureEmitter,
      ...follow(options.local),
      ...follow(options.remote),
      options.onDidSwitch(() => {
        this.modelEmitter.fire(this.model);
        this.statusEmitter.fire(this.status);
      }),
    ];
  }

  private get current(): ModelSource {
    return this.pick(this.options.isRemote() ? this.options.remote : this.options.local);
  }

  get role(): ModelRole {
    return this.current.role;
  }

  get configured(): boolean {
    return this.current.configured;
  }

  get model(): ModelInfo | undefined {
    return this.current.model;
  }

  get status(): ModelStatus {
    return this.current.status;
  }

  ensureLoaded(): Promise<ModelInfo> {
    return this.current.ensureLoaded();
  }

  loadInBackground(): void {
    this.current.loadInBackground();
  }

  reportSpeed(tokensPerSecond: number): void {
    this.current.reportSpeed(tokensPerSecond);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

import * as vscode from 'vscode';
import type { EngineState } from '../shared/webviewProtocol';
import type { EngineStateChange, EngineSupervisor } from './engineSupervisor';
import {
  repositoryPrefixText,
  repositoryPrefixTooltip,
  type RepositoryPrefixState,
} from './context/repositoryPrefixState';
import { modelStatusText, type ModelStatus } from './model/modelStatusText';

const presentation: Record<EngineState, { text: string; tooltip: string; error?: boolean }> = {
  idle: { text: '$(flame) Hearth', tooltip: 'Hearth: the engine starts on first use' },
  starting: { text: '$(loading~spin) Hearth: starting', tooltip: 'Hearth: starting the engine' },
  restarting: { text: '$(loading~spin) Hearth: restarting', tooltip: 'Hearth: the engine stopped; restarting it' },
  ready: { text: '$(flame) Hearth: ready', tooltip: 'Hearth: engine ready' },
  failed: { text: '$(error) Hearth: error', tooltip: 'Hearth: the engine failed. Click for the logs.', error: true },
};

/** The model session as the status bar sees it. */
export interface ModelStatusSource {
  readonly status: ModelStatus;
  readonly onDidChangeStatus: vscode.Event<ModelStatus>;
}

/** The repository prefix as the status bar sees it (RepositoryPrefill). */
export interface RepositoryPrefixSource {
  readonly state: RepositoryPrefixState | undefined;
  readonly onDidChangeState: vscode.Event<RepositoryPrefixState | undefined>;
}

/**
 * Shows the engine's state in the status bar and, once it is ready, the model, whether it is loading, the
 * last answer's tokens/s and the repository prefix. A click opens the logs when the engine failed, the model
 * picker otherwise.
 */
export class EngineStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'hearth.engineStatus',
    vscode.StatusBarAlignment.Right,
    100,
  );
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly engine: EngineSupervisor,
    private readonly models?: ModelStatusSource,
    private readonly repository?: RepositoryPrefixSource,
  ) {
    this.item.name = 'Hearth Engine';
    this.subscriptions = [engine.onDidChangeState(() => this.render())];
    if (models) this.subscriptions.push(models.onDidChangeStatus(() => this.render()));
    if (repository) this.subscriptions.push(repository.onDidChangeState(() => this.render()));
    this.render();
    this.item.show();
  }

  private render(): void {
    const { state, detail }: EngineStateChange = this.engine.state;
    const look = presentation[state];
    const model = state === 'ready' && this.models ? modelStatusText(this.models.status) : undefined;
    const prefix = model && this.models?.status.loading === undefined ? this.repository?.state : undefined;
    this.item.text = (model?.text ?? look.text) + (prefix ? ` · ${repositoryPrefixText(prefix)}` : '');
    this.item.tooltip =
      (model?.tooltip ?? (detail ? `${look.tooltip} (${detail})` : look.tooltip)) +
      (prefix ? `\n${repositoryPrefixTooltip(prefix)}` : '');
    this.item.command = look.error || !this.models ? 'hearth.showLogs' : 'hearth.selectModel';
    this.item.backgroundColor = look.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}

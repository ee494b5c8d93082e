import * as vscode from 'vscode';
import type { EngineState } from '../shared/webviewProtocol';
import type { EngineStateChange, EngineSupervisor } from './engineSupervisor';

const presentation: Record<EngineState, { text: string; tooltip: string; error?: boolean }> = {
  idle: { text: '$(flame) Hearth', tooltip: 'Hearth: the engine starts on first use' },
  starting: { text: '$(loading~spin) Hearth: starting', tooltip: 'Hearth: starting the engine' },
  restarting: { text: '$(loading~spin) Hearth: restarting', tooltip: 'Hearth: the engine stopped; restarting it' },
  ready: { text: '$(flame) Hearth: ready', tooltip: 'Hearth: engine ready' },
  failed: { text: '$(error) Hearth: error', tooltip: 'Hearth: the engine failed. Click for the logs.', error: true },
};

/** Shows the engine's state in the status bar; a click opens the logs. */
export class EngineStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hearth.engineStatus', vscode.StatusBarAlignment.Right, 100);
  private readonly subscription: vscode.Disposable;

  constructor(engine: EngineSupervisor) {
    this.item.name = 'Hearth Engine';
    this.item.command = 'hearth.showLogs';
    this.subscription = engine.onDidChangeState((change) => this.render(change));
    this.render(engine.state);
    this.item.show();
  }

  private render({ state, detail }: EngineStateChange): void {
    const look = presentation[state];
    this.item.text = look.text;
    this.item.tooltip = detail ? `${look.tooltip} (${detail})` : look.tooltip;
    this.item.backgroundColor = look.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

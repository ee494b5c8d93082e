import * as vscode from 'vscode';
import type { LogLevel, ModelInfo, PingResult } from '../shared/protocol';
import type { EngineState } from '../shared/webviewProtocol';
import { ChatViewProvider } from './chatViewProvider';
import { EngineStatusBar } from './engineStatusBar';
import { EngineSupervisor } from './engineSupervisor';
import { showEngineError } from './errorPresenter';
import { ModelSession } from './model/modelSession';

/** What `activate` returns: a small API for other extensions and for Hearth's own extension tests. */
export interface HearthApi {
  engineState(): EngineState;
  /** Starts the engine if needed and pings it. */
  ping(): Promise<PingResult>;
  /** Starts the engine and loads the configured model if needed. */
  loadModel(): Promise<ModelInfo>;
}

let supervisor: EngineSupervisor | undefined;

export function activate(context: vscode.ExtensionContext): HearthApi {
  const output = vscode.window.createOutputChannel('Hearth', { log: true });
  const showLogs = () => output.show(true);
  const version = (context.extension.packageJSON as { version: string }).version;

  const engine = new EngineSupervisor({
    enginePath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'engine.js').fsPath,
    clientVersion: version,
    logLevel: () => vscode.workspace.getConfiguration('hearth').get<LogLevel>('engine.logLevel', 'info'),
    log: (line) => output.appendLine(line),
  });
  supervisor = engine;
  const models = new ModelSession(engine);

  context.subscriptions.push(
    output,
    models,
    new EngineStatusBar(engine),
    engine.onDidChangeState(({ state, detail }) => {
      if (state === 'failed') void showEngineError(new Error(`The engine stopped and was not restarted: ${detail ?? 'unknown reason'}.`), showLogs);
    }),
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, new ChatViewProvider(context.extensionUri, engine, showLogs)),
    vscode.commands.registerCommand('hearth.showLogs', showLogs),
    vscode.commands.registerCommand('hearth.restartEngine', () => engine.restart().catch((error: unknown) => showEngineError(error, showLogs))),
    vscode.commands.registerCommand('hearth.explainCodebase', async () => {
      try {
        await engine.ready();
        void vscode.window.showInformationMessage('Hearth: "Explain This Codebase" is not implemented yet: it arrives with repository context.');
      } catch (error) {
        await showEngineError(error, showLogs);
      }
    }),
  );

  return {
    engineState: () => engine.state.state,
    ping: () => engine.request('ping', undefined),
    loadModel: () => models.ensureLoaded(),
  };
}

export async function deactivate(): Promise<void> {
  await supervisor?.dispose();
  supervisor = undefined;
}

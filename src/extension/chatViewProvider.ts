import * as vscode from 'vscode';
import type { ModelInfo } from '../shared/protocol';
import {
  parseWebviewMessage,
  type ExtensionToWebviewMessage,
  type ModelSummary,
  type WebviewToExtensionMessage,
} from '../shared/webviewProtocol';
import { chatActivity, type ActivitySources } from './chatActivity';
import type { ChatController } from './chat/chatController';
import type { RepositoryPrefill } from './context/repositoryPrefill';
import type { WorkspaceContext } from './context/workspaceContext';
import type { CodeActions } from './chat/codeActions';
import type { EngineSupervisor } from './engineSupervisor';
import { modelName } from './model/modelPickItems';
import type { ModelSource } from './model/modelSource';
import { configuredModelPath } from './model/modelSettings';
import { createNonce } from './nonce';
import { renderChatHtml } from './webviewHtml';

/** What the header shows of the model; a model without a chat template cannot chat, so it shows as none. */
function modelSummary(model: ModelInfo | undefined): ModelSummary | null {
  if (!model?.kind) return null;
  return { name: modelName(model.path), kind: model.kind, contextLength: model.contextLength };
}

export interface ChatViewDependencies {
  engine: EngineSupervisor;
  models: ModelSource;
  workspace: Pick<WorkspaceContext, 'onDidChangeIndexing'>;
  /** The repository prefix's state, shown in the header when nothing else runs. */
  repository?: Pick<RepositoryPrefill, 'state' | 'onDidChangeState'>;
  chat: ChatController;
  codeActions: CodeActions;
  showLogs: () => void;
  onError: (error: unknown) => void;
}

/** The sidebar chat view. Thin: renders the webview and routes its messages; the conversation is ChatController's. */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'hearth.chat';
  private readonly disposables: vscode.Disposable[] = [];
  private view: vscode.WebviewView | undefined;
  private readonly activity: ActivitySources = {};
  private modelError: string | null = null;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: ChatViewDependencies,
  ) {
    deps.chat.connect((message) => this.post(message));
    this.disposables.push(
      deps.engine.onDidChangeState(() => this.postEngineState()),
      deps.models.onDidChangeModel((model) => this.post({ type: 'model', model: modelSummary(model) })),
      deps.models.onDidChangeStatus(({ loading, loadingPercent, error }) => {
        if ((error ?? null) !== this.modelError) {
          this.modelError = error ?? null;
          this.post({ type: 'modelError', message: this.modelError });
        }
        this.activity.loading =
          loading === undefined
            ? undefined
            : { name: modelName(loading), ...(loadingPercent !== undefined && { percent: loadingPercent }) };
        this.postActivity();
      }),
      deps.workspace.onDidChangeIndexing((progress) => {
        this.activity.indexing =
          progress === undefined
            ? undefined
            : { ...(progress.fraction !== undefined && { fraction: progress.fraction }) };
        this.postActivity();
      }),
    );
    if (deps.repository) {
      this.activity.repository = deps.repository.state;
      this.disposables.push(
        deps.repository.onDidChangeState((state) => {
          this.activity.repository = state;
          this.postActivity();
        }),
      );
    }
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = renderChatHtml({
      cspSource: view.webview.cspSource,
      nonce: createNonce(),
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'webview.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'chat.css')).toString(),
    });
    this.disposables.push(
      view.webview.onDidReceiveMessage((data: unknown) => {
        const message = parseWebviewMessage(data);
        if (message) this.onMessage(message);
      }),
      view.onDidDispose(() => (this.view = undefined)),
    );
    // Opening the chat warms the engine and a configured model for the first question (a bad path shows at once
    // in the header and the status bar); with none configured the first question asks for one.
    if (configuredModelPath() !== undefined) this.deps.models.loadInBackground();
    else this.deps.engine.ready().catch(() => undefined); // failures show in the state and the status bar
  }

  private onMessage(message: WebviewToExtensionMessage): void {
    const { chat, codeActions } = this.deps;
    switch (message.type) {
      case 'ready':
        this.postEngineState();
        this.post({ type: 'model', model: modelSummary(this.deps.models.model) });
        this.postActivity();
        this.modelError = this.deps.models.status.error ?? null;
        this.post({ type: 'modelError', message: this.modelError });
        chat.sendHistory();
        return;
      case 'showLogs':
        this.deps.showLogs();
        return;
      case 'selectModel':
        void vscode.commands.executeCommand('hearth.selectModel');
        return;
      case 'ask':
        chat.ask(message.text, message.thinking).catch(() => undefined); // the turn shows its own outcome
        return;
      case 'stop':
        chat.stop(message.turnId, message.answerLength);
        return;
      case 'retry':
        chat.retry(message.turnId)?.catch(() => undefined);
        return;
      case 'continue':
        chat.continue(message.turnId)?.catch(() => undefined);
        return;
      case 'newChat':
        chat.newChat();
        return;
      case 'setThinking':
        chat.setThinking(message.mode);
        return;
      case 'copyCode':
        codeActions.copy(message.code).catch(this.deps.onError);
        return;
      case 'insertCode':
        codeActions.insert(message.code).catch(this.deps.onError);
        return;
      case 'applyCode':
        codeActions.apply(message.code).catch(this.deps.onError);
        return;
      default:
        return message satisfies never;
    }
  }

  private postEngineState(): void {
    const { state, detail } = this.deps.engine.state;
    this.post({ type: 'engineState', state, ...(detail !== undefined && { detail }) });
  }

  private postActivity(): void {
    this.post({ type: 'activity', activity: chatActivity(this.activity) });
  }

  private post(message: ExtensionToWebviewMessage): void {
    void this.view?.webview.postMessage(message);
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

import * as vscode from 'vscode';
import { parseWebviewMessage, type ExtensionToWebviewMessage, type WebviewToExtensionMessage } from '../shared/webviewProtocol';
import type { EngineSupervisor } from './engineSupervisor';
import { createNonce } from './nonce';
import { renderChatHtml } from './webviewHtml';

/** The sidebar chat view. Thin: renders the webview, relays engine state; the chat itself comes later. */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'hearth.chat';
  private readonly disposables: vscode.Disposable[] = [];
  private view: vscode.WebviewView | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engine: EngineSupervisor,
    private readonly showLogs: () => void,
  ) {
    this.disposables.push(engine.onDidChangeState(() => this.postEngineState()));
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
    // Opening the chat is a first use: start the engine now so it is warm by the first question.
    this.engine.ready().catch(() => undefined); // failures surface through the state and the status bar
  }

  private onMessage(message: WebviewToExtensionMessage): void {
    switch (message.type) {
      case 'ready':
        this.postEngineState();
        return;
      case 'showLogs':
        this.showLogs();
        return;
    }
  }

  private postEngineState(): void {
    const { state, detail } = this.engine.state;
    this.post({ type: 'engineState', state, ...(detail !== undefined && { detail }) });
  }

  private post(message: ExtensionToWebviewMessage): void {
    void this.view?.webview.postMessage(message);
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

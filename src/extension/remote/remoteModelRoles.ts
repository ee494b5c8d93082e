import * as vscode from 'vscode';
import type { ModelRole } from '../../shared/protocol';
import type { ModelRoleSource } from '../model/modelSource';
import type { RemoteServer } from './remoteChat';
import { RemoteModelLookup } from './remoteModelLookup';
import { RemoteModelSession } from './remoteModelSession';
import type { RemoteServerSettings } from './remoteServerSettings';

/**
 * The remote server's model in each role: one model serves chat, refactors and completions, the completion
 * role's with FIM prompts when the model is FIM-trained (until the server refuses `suffix`). Looked up again
 * when the server's settings or key change.
 */
export class RemoteModelRoles implements ModelRoleSource, vscode.Disposable {
  readonly chat: RemoteModelSession;
  private readonly completion: RemoteModelSession;
  private readonly lookup: RemoteModelLookup;
  readonly onDidChangeCompletionModel: vscode.Event<void>;
  private readonly subscriptions: vscode.Disposable[];

  constructor(settings: RemoteServerSettings, localEngine: { ready(): Promise<unknown> }) {
    this.lookup = new RemoteModelLookup(settings);
    this.chat = new RemoteModelSession(this.lookup, localEngine, 'chat');
    this.completion = new RemoteModelSession(this.lookup, localEngine, 'completion');
    const completionEmitter = new vscode.EventEmitter<void>();
    this.onDidChangeCompletionModel = completionEmitter.event;
    this.subscriptions = [
      this.chat,
      this.completion,
      completionEmitter,
      this.completion.onDidChangeModel(() => completionEmitter.fire()),
      settings.onDidChange(() => {
        this.lookup.reset();
        this.chat.forget();
        this.completion.forget();
        if (settings.isRemote) this.chat.loadInBackground(); // a wrong URL or key shows at once
      }),
    ];
    if (settings.isRemote) this.chat.loadInBackground(); // the status bar and chat header show the server's model
  }

  /** The server and model that requests go to: found on the server if need be. */
  async server(): Promise<RemoteServer> {
    return (await this.lookup.find()).server;
  }

  sessionFor(role: ModelRole): RemoteModelSession {
    return role === 'completion' ? this.completion : this.chat;
  }

  /** The server refused `suffix` for its model: completions use the chat form from now on. */
  refusedFim(server: RemoteServer): void {
    this.lookup.refusedFim(server);
    this.completion.forget();
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

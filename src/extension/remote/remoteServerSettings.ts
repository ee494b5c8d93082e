import * as vscode from 'vscode';
import { hearthSetting } from '../hearthSetting';
import { remoteBaseUrl } from './remoteBaseUrl';

/** Where SecretStorage keeps the server's API key: never in settings, never in the logs. */
export const API_KEY_SECRET = 'hearth.engine.apiKey';

/** The server to connect to: the base URL (ending with /v1) and the key, if one is set. */
export interface RemoteConnection {
  baseUrl: string;
  apiKey?: string;
}

/**
 * hearth.engine.kind, url and model, and the API key in VS Code's SecretStorage ("Hearth: Set API Key"). Fires
 * onDidChange when any of them changes, so the model found on the server is looked up again.
 */
export class RemoteServerSettings implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly kindEmitter = new vscode.EventEmitter<void>();
  /** hearth.engine.kind changed: local and remote swap. */
  readonly onDidChangeKind = this.kindEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscriptions = [
      this.changeEmitter,
      this.kindEmitter,
      vscode.workspace.onDidChangeConfiguration((event) => {
        const kind = event.affectsConfiguration('hearth.engine.kind');
        if (kind || affectsServer(event)) this.changeEmitter.fire();
        if (kind) this.kindEmitter.fire();
      }),
      secrets.onDidChange((event) => {
        if (event.key === API_KEY_SECRET) this.changeEmitter.fire();
      }),
    ];
  }

  /** hearth.engine.kind is "remote": a server generates. */
  get isRemote(): boolean {
    return hearthSetting('engine.kind') === 'remote';
  }

  /** hearth.engine.model, or undefined for the server's first model. */
  get modelId(): string | undefined {
    return hearthSetting('engine.model').trim() || undefined;
  }

  /** The base URL and key; a missing or malformed URL throws an error that says what to set. */
  async connection(): Promise<RemoteConnection> {
    const baseUrl = remoteBaseUrl(hearthSetting('engine.url'));
    const apiKey = await this.secrets.get(API_KEY_SECRET);
    return { baseUrl, ...(apiKey !== undefined && apiKey !== '' && { apiKey }) };
  }

  /** The server as prompts name it: hearth.engine.url as the user wrote it. */
  connectionLabel(): string {
    return hearthSetting('engine.url').trim() || 'the model server';
  }

  /** Makes `id` the model asked for, where the user keeps the setting (the workspace's, else their own). */
  async setModelId(id: string): Promise<void> {
    const config = vscode.workspace.getConfiguration('hearth');
    const where = config.inspect<string>('engine.model');
    const target =
      where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('engine.model', id, target);
  }

  /** "Hearth: Set API Key": asks for the key (hidden as typed); an empty answer removes it. */
  async promptForApiKey(): Promise<void> {
    const key = await vscode.window.showInputBox({
      title: 'Hearth: Set API Key',
      prompt: `The API key of ${this.connectionLabel()}; empty to remove it. Kept in VS Code's secret storage.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    if (key.trim() === '') await this.secrets.delete(API_KEY_SECRET);
    else await this.secrets.store(API_KEY_SECRET, key.trim());
    void vscode.window.setStatusBarMessage(`$(key) Hearth: API key ${key.trim() === '' ? 'removed' : 'saved'}`, 3_000);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

/** The settings that name the server or its model (hearth.model.contextLength stands in for an unreported context). */
export function affectsServer(event: vscode.ConfigurationChangeEvent): boolean {
  return ['hearth.engine.url', 'hearth.engine.model', 'hearth.model.contextLength'].some((key) =>
    event.affectsConfiguration(key),
  );
}

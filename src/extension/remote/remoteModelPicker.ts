import * as vscode from 'vscode';
import { serverHost } from './remoteBaseUrl';
import { listRemoteModels } from './remoteModels';
import type { RemoteServerSettings } from './remoteServerSettings';

/** A server model as "Hearth: Select Model" shows it. */
export interface RemoteModelPickItem extends vscode.QuickPickItem {
  id: string;
  current: boolean;
}

/** How long listing the server's models may take before it counts as not answering. */
const LIST_TIMEOUT_MS = 15_000;

/**
 * "Hearth: Select Model" when a remote server generates: the server's /v1/models with the context each
 * reports, the current one marked; what is chosen becomes hearth.engine.model.
 */
export class RemoteModelPicker {
  constructor(private readonly settings: RemoteServerSettings) {}

  async items(): Promise<RemoteModelPickItem[]> {
    const connection = await this.settings.connection();
    const models = await listRemoteModels(connection, AbortSignal.timeout(LIST_TIMEOUT_MS));
    const currentId = this.settings.modelId ?? models[0]?.id;
    const host = serverHost(connection.baseUrl);
    return models.map(({ id, contextLength }) => ({
      id,
      current: id === currentId,
      label: id,
      description: [
        id === currentId ? 'current' : undefined,
        contextLength === undefined
          ? 'context not reported'
          : `${contextLength.toLocaleString('en-US')} tokens of context`,
        `on ${host}`,
      ]
        .filter((part) => part !== undefined)
        .join(' · '),
    }));
  }

  /** Shows the server's models; returns the id now configured, or undefined when the user backed out. */
  async choose(): Promise<string | undefined> {
    const items = await this.items();
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Hearth: Select Model',
      placeHolder: `The model on ${this.settings.connectionLabel()} that Hearth uses`,
      matchOnDescription: true,
    });
    if (picked === undefined) return undefined;
    if (picked.id !== this.settings.modelId) await this.settings.setModelId(picked.id);
    return picked.id;
  }
}

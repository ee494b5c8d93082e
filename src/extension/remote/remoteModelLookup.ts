import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { EngineErrorWithSetting } from '../errorDescription';
import type { RemoteServer } from './remoteChat';
import { listRemoteModels, type RemoteModel } from './remoteModels';
import type { RemoteServerSettings } from './remoteServerSettings';

/** The model the settings choose, as the server lists it, and the server to send its requests to. */
export interface FoundRemoteModel {
  server: RemoteServer;
  model: RemoteModel;
}

/** How long a /v1/models lookup may take before the server counts as not answering. */
const LOOKUP_TIMEOUT_MS = 15_000;

/**
 * Finds hearth.engine.model (or the server's first model) in the server's /v1/models, once per settings: the
 * lookup is kept until the URL, model, key or kind changes, and dropped when it fails, so the next request
 * asks again. Remembers the models that refused `suffix`, for completions in the chat form.
 */
export class RemoteModelLookup {
  private found: Promise<FoundRemoteModel> | undefined;
  private readonly fimRefused = new Set<string>();

  constructor(private readonly settings: Pick<RemoteServerSettings, 'connection' | 'modelId'>) {}

  find(): Promise<FoundRemoteModel> {
    this.found ??= this.lookUp().catch((error: unknown) => {
      this.found = undefined;
      throw error;
    });
    return this.found;
  }

  /** The settings changed: the next `find` asks the server again. */
  reset(): void {
    this.found = undefined;
  }

  refusedFim(server: RemoteServer): void {
    this.fimRefused.add(`${server.baseUrl}\u0000${server.model}`);
  }

  hasRefusedFim(server: RemoteServer): boolean {
    return this.fimRefused.has(`${server.baseUrl}\u0000${server.model}`);
  }

  private async lookUp(): Promise<FoundRemoteModel> {
    const connection = await this.settings.connection();
    const models = await listRemoteModels(connection, AbortSignal.timeout(LOOKUP_TIMEOUT_MS));
    const wanted = this.settings.modelId;
    const model = wanted === undefined ? models[0] : models.find((candidate) => candidate.id === wanted);
    if (model === undefined) {
      const offered = models.map((candidate) => `"${candidate.id}"`).join(', ');
      throw new EngineErrorWithSetting(
        new EngineError(
          EngineErrorCode.ModelNotFound,
          wanted === undefined
            ? `The model server at ${connection.baseUrl} lists no models.`
            : `The model server at ${connection.baseUrl} has no model "${wanted}"${offered === '' ? '' : ` (it has ${offered})`}.`,
          wanted === undefined
            ? 'Load a model on the server, then ask again.'
            : 'Choose one of its models with "Hearth: Select Model".',
        ),
        'hearth.engine.model',
      );
    }
    return { server: { ...connection, model: model.id }, model };
  }
}

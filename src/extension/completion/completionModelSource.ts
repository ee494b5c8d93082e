import * as vscode from 'vscode';
import type { CancellationToken } from 'vscode-jsonrpc';
import type { ModelInfo } from '../../shared/protocol';
import { isCancellation } from '../cancellation';
import type { ModelRoleSource } from '../model/modelSource';
import type { CompletionModel } from './completionService';
import { promptStyleFor } from './promptStyle';

/** After a failed load, keystrokes do not try again for this long (a settings change does). */
const RETRY_AFTER_FAILURE_MS = 30_000;

/**
 * Which model completes code: the completion model (`hearth.model.completionPath`, loaded beside the chat
 * model) when one is configured, else the chat model; none when no model is configured at all, since typing
 * never opens the model picker. A load that failed is not retried on every keystroke.
 */
export class CompletionModelSource implements vscode.Disposable {
  /** The last failed load; `at` undefined: the user declined it, so not again until the settings change. */
  private failure: { key: string; at: number | undefined } | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly models: Pick<ModelRoleSource, 'sessionFor'>,
    private readonly log: (line: string) => void,
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (
        event.affectsConfiguration('hearth.model') ||
        event.affectsConfiguration('hearth.engine') ||
        event.affectsConfiguration('hearth.cacheDir')
      )
        this.failure = undefined;
    });
  }

  /** The model to complete with, loaded if need be; undefined when none is configured or it cannot load. */
  async model(token: CancellationToken): Promise<CompletionModel | undefined> {
    const session = this.models.sessionFor('completion');
    if (!session.configured) return undefined;
    const info = session.model ?? (await this.retrying(session.role, () => session.ensureLoaded(), token));
    return info && describe(info);
  }

  /** The model to complete with when it is loaded now, without loading it. */
  loadedModel(): CompletionModel | undefined {
    const session = this.models.sessionFor('completion');
    return session.configured && session.model !== undefined ? describe(session.model) : undefined;
  }

  /** Waits for a load (which goes on whatever the caller does), remembering a failure so keystrokes do not retry it at once. */
  private async retrying(
    key: string,
    load: () => Promise<ModelInfo>,
    token: CancellationToken,
  ): Promise<ModelInfo | undefined> {
    const failure = this.failure;
    if (failure?.key === key && (failure.at === undefined || Date.now() - failure.at < RETRY_AFTER_FAILURE_MS))
      return undefined;
    const work = load().then(
      (info) => {
        this.log(`[completion] completing with ${info.path} (${info.role} model, ${promptStyleFor(info)} prompts)`);
        return info;
      },
      (error: unknown) => {
        // Declined (a model that does not fit, a cancelled load): typing must not ask again.
        const declined = isCancellation(error);
        this.failure = { key, at: declined ? undefined : Date.now() };
        this.log(`[completion] no completion model: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      },
    );
    let subscription: { dispose(): void } | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<undefined>((resolve) => (subscription = token.onCancellationRequested(() => resolve(undefined)))),
      ]);
    } finally {
      subscription?.dispose();
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

function describe(info: ModelInfo): CompletionModel {
  const style = promptStyleFor(info);
  return { key: `${info.path}\u0000${info.role}\u0000${style}`, role: info.role, style, kind: info.kind };
}

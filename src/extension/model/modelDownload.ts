import * as vscode from 'vscode';
import { EngineError } from '../../shared/engineError';
import type { ModelDownloadResult } from '../../shared/protocol';
import type { EngineSupervisor } from '../engineSupervisor';
import { isCancellation } from '../cancellation';
import { downloadPercent, downloadProgressMessage } from './downloadProgressText';
import { modelName } from './modelPickItems';
import { configuredCacheDir } from './modelSettings';

/** What the model UI needs of the engine. */
export type ModelEngine = Pick<EngineSupervisor, 'request' | 'onNotification'>;

/**
 * Downloads a model in a progress notification (percentage, speed, time left) with Cancel. Undefined when the
 * user cancelled: what was fetched stays, and downloading the same model again resumes it.
 */
export async function downloadWithProgress(
  engine: ModelEngine,
  repo: string,
  revision?: string,
): Promise<ModelDownloadResult | undefined> {
  const cacheDir = configuredCacheDir();
  const title = `Hearth: downloading ${modelName(repo)}`;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      let reported = 0;
      const subscription = engine.onNotification('model/downloadProgress', (event) => {
        if (event.repo !== repo) return;
        const percent = downloadPercent(event);
        progress.report({ message: downloadProgressMessage(event), increment: percent - reported });
        reported = percent;
      });
      try {
        return await engine.request(
          'model/download',
          { repo, ...(revision !== undefined && { revision }), ...(cacheDir !== undefined && { cacheDir }) },
          token,
        );
      } catch (error) {
        if (!isCancellation(error)) throw error;
        // An outcome, not a failure: say where the bytes are and how to go on.
        const hint = error instanceof EngineError ? (error.hint ?? '') : '';
        void vscode.window.showInformationMessage(`Hearth: the download of ${repo} is paused. ${hint}`.trim());
        return undefined;
      } finally {
        subscription.dispose();
      }
    },
  );
}

import * as vscode from 'vscode';
import { isCancellation } from '../cancellation';
import type { ErrorPresenter } from '../errorPresenter';
import type { ModelPicker, ModelPickPurpose } from './modelPicker';
import type { ModelSource } from './modelSource';

/**
 * "Hearth: Select Model" and "Hearth: Download Model": the picker, then the chosen model loaded. Each returns
 * the folder now configured, or undefined when nothing changed.
 */
export function registerModelCommands(
  picker: Pick<ModelPicker, 'choose'>,
  models: Pick<ModelSource, 'ensureLoaded'>,
  errors: Pick<ErrorPresenter, 'show'>,
): vscode.Disposable[] {
  const run = async (purpose: Exclude<ModelPickPurpose, 'firstUse'>): Promise<string | undefined> => {
    try {
      const path = await picker.choose(purpose);
      if (path !== undefined) await models.ensureLoaded();
      return path;
    } catch (error) {
      // Declining a model that does not fit, or cancelling its load, is the user's choice: nothing to report.
      if (!isCancellation(error)) await errors.show(error);
      return undefined;
    }
  };
  return [
    vscode.commands.registerCommand('hearth.selectModel', () => run('select')),
    vscode.commands.registerCommand('hearth.downloadModel', () => run('download')),
  ];
}

import * as vscode from 'vscode';
import type { ModelLoadParams, WeightQuantization } from '../../shared/protocol';

/** Without a setting, the context a model is loaded with: long enough for whole-repository questions. */
export const DEFAULT_CONTEXT_LENGTH = 32_768;

/** The `model/load` params the settings ask for, or undefined when no model folder is configured. */
export function configuredModel(): ModelLoadParams | undefined {
  const config = vscode.workspace.getConfiguration('hearth');
  const path = config.get<string>('model.path', '').trim();
  if (path === '') return undefined;
  const threads = config.get<number>('engine.threads', 0);
  const contextLength = config.get<number>('model.contextLength', 0);
  const cacheDir = config.get<string>('cacheDir', '').trim();
  return {
    path,
    quantization: config.get<WeightQuantization>('engine.quantization', 'int8'),
    contextLength: contextLength > 0 ? contextLength : DEFAULT_CONTEXT_LENGTH,
    ...(threads > 0 && { threads }),
    ...(cacheDir !== '' && { cacheDir }),
  };
}

/** Settings whose change means the model must be loaded again. */
export function affectsModel(event: vscode.ConfigurationChangeEvent): boolean {
  return ['hearth.model.path', 'hearth.model.contextLength', 'hearth.engine.quantization', 'hearth.engine.threads', 'hearth.cacheDir'].some((key) =>
    event.affectsConfiguration(key),
  );
}

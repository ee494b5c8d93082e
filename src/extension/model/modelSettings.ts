import * as vscode from 'vscode';
import type { ModelLoadParams, WeightQuantization } from '../../shared/protocol';

/**
 * The `model/load` params the settings ask for, or undefined when no model folder is configured. Without a
 * context length the engine picks what fits the machine's free memory (at most 32,768 tokens).
 */
export function configuredModel(): ModelLoadParams | undefined {
  const config = vscode.workspace.getConfiguration('hearth');
  const path = configuredModelPath();
  if (path === undefined) return undefined;
  const threads = config.get<number>('engine.threads', 0);
  const contextLength = config.get<number>('model.contextLength', 0);
  const cacheDir = configuredCacheDir();
  return {
    path,
    quantization: configuredQuantization(),
    ...(contextLength > 0 && { contextLength }),
    ...(threads > 0 && { threads }),
    ...(cacheDir !== undefined && { cacheDir }),
  };
}

/** hearth.model.path, or undefined when it is empty. */
export function configuredModelPath(): string | undefined {
  const path = vscode.workspace.getConfiguration('hearth').get<string>('model.path', '').trim();
  return path === '' ? undefined : path;
}

/**
 * The checkpoint folder for a kind of request: hearth.model.reasoningPath or hearth.model.completionPath when
 * set, else hearth.model.path (undefined when that is empty too).
 */
export function configuredModelPathFor(role: 'chat' | 'reasoning' | 'completion'): string | undefined {
  const key = role === 'reasoning' ? 'model.reasoningPath' : role === 'completion' ? 'model.completionPath' : undefined;
  const path = key === undefined ? '' : vscode.workspace.getConfiguration('hearth').get<string>(key, '').trim();
  return path === '' ? configuredModelPath() : path;
}

export function configuredQuantization(): WeightQuantization {
  return vscode.workspace.getConfiguration('hearth').get<WeightQuantization>('engine.quantization', 'int8');
}

/** hearth.cacheDir: where downloads and converted weights go; undefined for the engine's default. */
export function configuredCacheDir(): string | undefined {
  const cacheDir = vscode.workspace.getConfiguration('hearth').get<string>('cacheDir', '').trim();
  return cacheDir === '' ? undefined : cacheDir;
}

/**
 * Makes `path` the model: in the user settings, or where a workspace setting would otherwise hide the change.
 */
export async function setModelPath(path: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('hearth');
  const where = config.inspect<string>('model.path');
  const target = where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('model.path', path, target);
}

/** Settings whose change means the model must be loaded again. */
export function affectsModel(event: vscode.ConfigurationChangeEvent): boolean {
  return ['hearth.model.path', 'hearth.model.contextLength', 'hearth.engine.quantization', 'hearth.engine.threads', 'hearth.cacheDir'].some((key) =>
    event.affectsConfiguration(key),
  );
}

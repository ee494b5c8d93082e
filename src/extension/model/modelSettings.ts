import * as vscode from 'vscode';
import type { KvCacheChoice, ModelLoadParams, WeightQuantization } from '../../shared/protocol';
import { hearthSetting } from '../hearthSetting';
import type { HearthSettingKey } from '../settingsRegistry';

/**
 * The `model/load` params the settings ask for, or undefined when no model folder is configured. Without a
 * context length the engine picks what fits the machine's free memory (at most 32,768 tokens).
 */
export function configuredModel(): ModelLoadParams | undefined {
  const path = configuredModelPath();
  if (path === undefined) return undefined;
  const contextLength = hearthSetting('model.contextLength');
  return { path, ...engineSettings(), ...(contextLength > 0 && { contextLength }) };
}

/** How every model is loaded: hearth.engine.quantization, hearth.engine.kvCache, hearth.engine.threads, hearth.cacheDir. */
function engineSettings(): Omit<ModelLoadParams, 'path'> {
  const threads = hearthSetting('engine.threads');
  const cacheDir = configuredCacheDir();
  return { ...configuredStorage(), ...(threads > 0 && { threads }), ...(cacheDir !== undefined && { cacheDir }) };
}

/** hearth.model.path, or undefined when it is empty. */
export function configuredModelPath(): string | undefined {
  const path = hearthSetting('model.path').trim();
  return path === '' ? undefined : path;
}

/** Positions a completion model is loaded with: its prompts stay around 3,000 tokens. */
const COMPLETION_CONTEXT_LENGTH = 8192;

/**
 * The `model/load` params of a reasoning or completion model, loaded beside the chat model: undefined when
 * hearth.model.reasoningPath / completionPath is empty or names the chat model's folder (which then serves).
 * The engine settings are the chat model's; a completion model gets a short context.
 */
export function configuredRoleModel(role: 'reasoning' | 'completion'): ModelLoadParams | undefined {
  const path = hearthSetting(`model.${role}Path` as const).trim();
  if (path === '' || path === configuredModelPath()) return undefined;
  const contextLength = role === 'completion' ? COMPLETION_CONTEXT_LENGTH : configuredModel()?.contextLength;
  return { path, ...engineSettings(), ...(contextLength !== undefined && { contextLength }) };
}

/** hearth.engine.quantization and hearth.engine.kvCache: how every model/load, model/fit and model/catalogue stores the weights and the KV cache. */
export function configuredStorage(): { quantization: WeightQuantization; kvCache: KvCacheChoice } {
  return { quantization: hearthSetting('engine.quantization'), kvCache: hearthSetting('engine.kvCache') };
}

/** hearth.cacheDir: where downloads and converted weights go; undefined for the engine's default. */
export function configuredCacheDir(): string | undefined {
  const cacheDir = hearthSetting('cacheDir').trim();
  return cacheDir === '' ? undefined : cacheDir;
}

/**
 * Makes `path` the model: in the user settings, or where a workspace setting would otherwise hide the change.
 */
export async function setModelPath(path: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('hearth');
  const where = config.inspect<string>('model.path');
  const target =
    where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('model.path', path, target);
}

/** Settings whose change means the model must be loaded again. */
export function affectsModel(event: vscode.ConfigurationChangeEvent): boolean {
  const keys: HearthSettingKey[] = [
    'model.path',
    'model.reasoningPath',
    'model.completionPath',
    'model.contextLength',
    'engine.quantization',
    'engine.kvCache',
    'engine.threads',
    'cacheDir',
  ];
  return keys.some((key) => event.affectsConfiguration(`hearth.${key}`));
}

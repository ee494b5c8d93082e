import type { ModelInfo } from '../../shared/protocol';
import { modelName } from './modelPickItems';

/** What the model session is doing, for the status bar. */
export interface ModelStatus {
  /** The model being served. */
  model?: Pick<ModelInfo, 'path' | 'contextLength' | 'quantization' | 'kvCache'>;
  /** The folder of a model being loaded now. */
  loading?: string;
  /** How far that load's one-time weight conversion is (0–100), when it converts. */
  loadingPercent?: number;
  /** Decode speed of the last answer or completion, as its caller reported it. */
  tokensPerSecond?: number;
  /** Why the configured model cannot be served (a bad path, say), as the user was told. */
  error?: string;
  /** The base URL of the remote server that serves the model (hearth.engine.kind "remote"). */
  server?: string;
}

/**
 * The status bar's text while the engine is ready: "$(flame) Qwen3-4B-Instruct-2507-FP8 · 9.8 tok/s", the load
 * in progress, why the configured model cannot be served, or that no model is loaded (never "ready" without one).
 */
export function modelStatusText(status: ModelStatus): { text: string; tooltip: string } {
  if (status.loading !== undefined) {
    const percent = status.loadingPercent === undefined ? '' : ` ${Math.floor(status.loadingPercent)}%`;
    return {
      text: `$(loading~spin) Hearth: loading ${modelName(status.loading)}${percent}`,
      tooltip: `Hearth: loading ${status.loading}`,
    };
  }
  const { model, tokensPerSecond, error } = status;
  if (error !== undefined)
    return { text: '$(error) Hearth: model error', tooltip: `Hearth: ${error} Click to choose a model.` };
  if (model === undefined)
    return { text: '$(flame) Hearth: no model', tooltip: 'Hearth: no model is loaded. Click to choose one.' };
  const name = modelName(model.path);
  const speed = tokensPerSecond !== undefined && tokensPerSecond > 0 ? tokensPerSecond.toFixed(1) : undefined;
  if (status.server !== undefined) {
    // The path of a server's model is "id @ host"; the weights and KV cache are the server's, not known here.
    return {
      text: `$(remote) Hearth: ${name}${speed === undefined ? '' : ` · ${speed} tok/s`}`,
      tooltip:
        `Hearth: ${name} on the model server at ${status.server} (${model.contextLength.toLocaleString('en-US')} tokens of context)` +
        `${speed === undefined ? '' : `, last answer at ${speed} tokens/s`}. Click to choose another of its models.`,
    };
  }
  return {
    text: `$(flame) ${name}${speed === undefined ? '' : ` · ${speed} tok/s`}`,
    tooltip:
      `Hearth: ${name} (${model.contextLength.toLocaleString('en-US')} tokens of context, ${model.quantization} weights, ${model.kvCache === 'int8' ? '8-bit' : model.kvCache} KV cache)` +
      `${speed === undefined ? '' : `, last answer at ${speed} tokens/s`}. Click to choose another model.`,
  };
}

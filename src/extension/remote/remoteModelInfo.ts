import {
  DEFAULT_QUANTIZATION,
  type ModelInfo,
  type ModelKind,
  type ModelRole,
  type TokenCounterName,
} from '../../shared/protocol';
import type { RemoteModel } from './remoteModels';
import { serverHost } from './remoteBaseUrl';

/** The context assumed when a server does not report one (Ollama, LM Studio): Ollama's own default. */
export const ASSUMED_REMOTE_CONTEXT = 4_096;

/** Model families trained on fill-in-the-middle, by the names servers give them. */
const FIM_TRAINED = /coder|starcoder|codestral|codegemma|codellama|code-llama/i;

/** What a server's model id says of the model: its chat kind, and whether it fills in the middle. */
export function remoteModelKind(id: string): ModelKind {
  if (/thinking/i.test(id)) return 'thinking-2507';
  if (/instruct/i.test(id) || FIM_TRAINED.test(id)) return 'instruct-2507';
  // Qwen3's first models think or not on request; other models ignore the request.
  return 'hybrid';
}

export function isFimTrained(id: string): boolean {
  return FIM_TRAINED.test(id);
}

/**
 * Qwen3's own models by the names servers give them ("Qwen/Qwen3-4B-Instruct-2507-FP8", "qwen3:4b", "qwen3"):
 * a size or nothing after the name, so Qwen3.5, Qwen3-VL, -Next and -Coder, whose tokenizers may differ, are not.
 */
const QWEN3 = /(?:^|[/\s])qwen3(?:[-_:](?:\d+(?:\.\d+)?b\b|latest$)|$)/i;
/** Qwen2 and Qwen2.5, Coder included ("qwen2.5-coder:7b", "Qwen/Qwen2.5-7B-Instruct"); not -VL, -Math, -Audio. */
const QWEN2 = /(?:^|[/\s])qwen2(?:\.5)?(?:-coder)?(?:[-_:](?:\d+(?:\.\d+)?b\b|latest$)|$)/i;

/**
 * The tokenizer the local engine counts a server's model with when the server has no /tokenize: the bundled
 * Qwen3 one for a Qwen3 model (the catalogue's models all use it) and for Qwen2 and 2.5, whose text it splits
 * the same way (it reproduces llama.cpp's Qwen2 vocabulary vectors); the estimate for any other.
 */
export function remoteTokenizer(id: string): Extract<TokenCounterName, 'qwen3' | 'estimate'> {
  return QWEN3.test(id) || QWEN2.test(id) ? 'qwen3' : 'estimate';
}

export interface RemoteModelInfoOptions {
  baseUrl: string;
  role: ModelRole;
  /** hearth.model.contextLength: the context when the server reports none (0: ASSUMED_REMOTE_CONTEXT). */
  contextSetting: number;
  /** The server refused `suffix` for this model: completions use the chat form. */
  fimRefused?: boolean;
}

/** The " @ host" that ends a server model's path. */
const AT_HOST = / @ [^\s/@]+$/;

/** The model is a remote server's (its path is "id @ host"), not a checkpoint folder on this machine. */
export function isRemoteModel(model: Pick<ModelInfo, 'path'>): boolean {
  return AT_HOST.test(model.path);
}

/**
 * A server's model as the extension's ModelInfo: `path` is "id @ host" (what the status bar and chat header
 * show), the context is the server's (or the setting, or ASSUMED_REMOTE_CONTEXT), and in the completion role a
 * FIM-trained model gets FIM prompts. The weights and KV cache are the server's business: never shown.
 */
export function remoteModelInfo(model: RemoteModel, options: RemoteModelInfoOptions): ModelInfo {
  const contextLength =
    model.contextLength ?? (options.contextSetting > 0 ? options.contextSetting : ASSUMED_REMOTE_CONTEXT);
  return {
    path: `${model.id} @ ${serverHost(options.baseUrl)}`,
    role: options.role,
    architecture: /qwen2/i.test(model.id) ? 'qwen2' : /llama/i.test(model.id) ? 'llama' : 'qwen3',
    kind: remoteModelKind(model.id),
    contextLength,
    nativeContextLength: contextLength,
    quantization: DEFAULT_QUANTIZATION,
    kvCache: 'int8',
    weightBytes: 0,
    hasFimTokens: isFimTrained(model.id) && options.fimRefused !== true,
  };
}

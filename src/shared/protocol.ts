/**
 * The JSON-RPC protocol between the extension (client) and the engine subprocess (server).
 *
 * One entry per method in a type map, so that a method without a handler, or a call with the wrong
 * params, fails to compile on both sides. Transport: vscode-jsonrpc over the engine's stdio
 * (stdout carries protocol only; the engine logs to stderr). Cancellation is `$/cancelRequest`.
 */
import type {
  ContextIndexStats,
  ContextPackResult,
  ContextPrefillProgressParams,
  ContextPrefillResult,
  ContextProgressParams,
  ContextUpdateResult,
} from './contextProtocol';
import type {
  ContextIndexParams,
  ContextPackParams,
  ContextPrefillParams,
  ContextUpdateParams,
} from './wire/contextParamsSchemas';
import type { ChatParams, CompleteParams, CountTokensParams, TokenizeParams } from './wire/generationParamsSchemas';
import type { InitializeParams } from './wire/initializeParamsSchema';
import type {
  LoadPlan,
  MachineMemory,
  ModelCatalogueParams,
  ModelDownloadParams,
  ModelFitParams,
  ModelInfoParams,
  ModelLoadParams,
  ModelUnloadParams,
} from './wire/modelParamsSchemas';

export type * from './contextProtocol';
// Each method's params: types derived from the schemas the engine checks them with (src/shared/wire).
export type {
  ContextFileChange,
  ContextIndexParams,
  ContextPackParams,
  ContextPrefillParams,
  ContextUpdateParams,
} from './wire/contextParamsSchemas';
export type {
  ChatMessage,
  ChatParams,
  CompleteParams,
  CountTokensParams,
  PromptPart,
  TokenizeParams,
  ToolCall,
  ToolDefinition,
} from './wire/generationParamsSchemas';
export type { InitializeParams } from './wire/initializeParamsSchema';
export type {
  LoadPlan,
  MachineMemory,
  ModelCatalogueParams,
  ModelDownloadParams,
  ModelFitParams,
  ModelInfoParams,
  ModelLoadParams,
  ModelUnloadParams,
} from './wire/modelParamsSchemas';

/** Bumped whenever a method or payload changes incompatibly. */
export const PROTOCOL_VERSION = 4;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Which tokenizer countTokens and context/pack count with: the served model's (default; packing estimates while
 * none is loaded), the bundled Qwen3 one (a remote Qwen3 server's), or the UTF-8 estimate (any other model).
 */
export const TOKEN_COUNTERS = ['served', 'qwen3', 'estimate'] as const;
export type TokenCounterName = (typeof TOKEN_COUNTERS)[number];

export interface InitializeResult {
  engineVersion: string;
  protocolVersion: number;
  pid: number;
}

export interface MemoryUsage {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

export interface PingResult {
  engineVersion: string;
  pid: number;
  uptimeMs: number;
  memory: MemoryUsage;
}

/** Proof that the engine's native and wasm runtime loads: used by the package check and diagnostics. */
export interface RuntimeSelfCheckResult {
  onnxruntime: { version: string; backends: string[] };
  treeSitter: { grammar: string; parsedRootType: string };
}

// ——— Models ———

/** How the engine stores the weights it converts from the checkpoint (see docs/architecture.md). */
export const WEIGHT_QUANTIZATIONS = ['int8', 'int4', 'fp32'] as const;
export type WeightQuantization = (typeof WEIGHT_QUANTIZATIONS)[number];

/** The KV cache's element type: float32 (exact) or int8 (3.8× smaller, faster at long contexts, a small error). */
export const KV_CACHE_DTYPES = ['float32', 'int8'] as const;
export type KvCacheDtype = (typeof KV_CACHE_DTYPES)[number];

/**
 * The KV cache a load or fit asks for. auto: float32 up to 4,096 positions when it fits the memory, int8 above
 * that or when only int8 fits (the engine's kvCacheChoice.ts says why).
 */
export const KV_CACHE_CHOICES = ['auto', ...KV_CACHE_DTYPES] as const;
export type KvCacheChoice = (typeof KV_CACHE_CHOICES)[number];

/** What model/load, model/fit and model/catalogue take when their params leave quantization or kvCache out. */
export const DEFAULT_QUANTIZATION: WeightQuantization = 'int8';
export const DEFAULT_KV_CACHE: KvCacheChoice = 'auto';

/**
 * How a chat model thinks, read from its chat template: hybrid Qwen3 (switchable), Instruct-2507 (never),
 * Thinking-2507 (always).
 */
export type ModelKind = 'hybrid' | 'instruct-2507' | 'thinking-2507';

/**
 * What a loaded model is for. The engine holds one model per role: the chat model, and beside it optionally a
 * reasoning model (thinking-mode work such as refactors) and a completion model (a small FIM-trained one).
 */
export const MODEL_ROLES = ['chat', 'reasoning', 'completion'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/**
 * Sent while `model/load` runs: converting the weights (first load only), then opening the session. `path` is
 * the load's own, as requested.
 */
export type ModelProgressParams =
  | { path: string; phase: 'converting'; bytesDone: number; bytesTotal: number; tensor: string }
  | { path: string; phase: 'loading' };

export interface ModelInfo {
  /** The checkpoint folder, resolved. */
  path: string;
  role: ModelRole;
  architecture: 'qwen3' | 'qwen2' | 'llama';
  /** null: the checkpoint has no chat template, so it serves `complete` only. */
  kind: ModelKind | null;
  /** Positions this load serves (prompt and output together). */
  contextLength: number;
  /** The model's own length, from config.json; YaRN stretches it when contextLength is larger. */
  nativeContextLength: number;
  quantization: WeightQuantization;
  /** The KV cache this load uses (auto resolved). */
  kvCache: KvCacheDtype;
  /** Bytes of the converted weights. */
  weightBytes: number;
  /** The tokenizer has the fill-in-the-middle tokens `complete` with `fim` needs (FIM-trained or not). */
  hasFimTokens: boolean;
}

export interface ModelLoadResult {
  model: ModelInfo;
  /** The weights were converted by this load (false: taken from the cache). */
  converted: boolean;
  /** Conversion (when it ran) and opening the model, together. */
  loadMs: number;
}

// ——— Getting a model: catalogue, hardware fit, download ———

/** Whether a model fits this machine's free memory (see the engine's hardwareFit). */
export type ModelFitVerdict = 'fits' | 'tight' | 'does-not-fit';

export interface ModelFit {
  verdict: ModelFitVerdict;
  /** The largest context whose KV cache fits beside the weights now. */
  largestContext: number;
  /** What `model/load` uses without a contextLength: a power of two ≤ min(largest, native, 32,768); 0 if none. */
  defaultContext: number;
  /** The converted weights, for the quantization asked about. */
  weightBytes: number;
  /** Memory one more position of context costs, with the KV cache below. */
  bytesPerToken: number;
  /** The KV cache a load would use at the default context (auto resolved): every number here is for it. */
  kvCache: KvCacheDtype;
  /** One or two sentences for the user: what fits, or why not and what to do. */
  message: string;
}

/** What the default download folder of a catalogue model holds. */
export type CatalogueDownloadState = 'absent' | 'incomplete' | 'complete';

export interface CatalogueEntry {
  /** Hugging Face model id, e.g. "Qwen/Qwen3-4B-Instruct-2507-FP8". */
  repo: string;
  description: string;
  kind: ModelKind;
  /** The model Hearth suggests first. */
  isDefault: boolean;
  /** As the Hub listed it when the catalogue was written: for display only. */
  approximateDownloadBytes: number;
  nativeContext: number;
  /** Reachable with YaRN, where the model card documents it. */
  yarnContext?: number;
  fit: ModelFit;
  /** The folder `model/download` uses for it by default, what it holds, and the revision a partial is of. */
  download: { dir: string; state: CatalogueDownloadState; revision?: string };
}

export interface ModelCatalogueResult {
  /** Read once for every entry's fit. */
  memory: MachineMemory;
  quantization: WeightQuantization;
  /** As asked; each entry's fit says which cache it resolves to. */
  kvCache: KvCacheChoice;
  models: CatalogueEntry[];
}

export interface ModelFitResult {
  /** The folder, resolved. */
  path: string;
  /** The positions it was trained for, from config.json. */
  nativeContext: number;
  fit: ModelFit;
  memory: MachineMemory;
  /** How model/load with the same params would load it now (`plan` of model/load). */
  plan: LoadPlan;
  /** Set when Hearth downloaded the folder (its completion marker). */
  source?: { repo: string; commit: string };
}

/** Sent while `model/download` runs, a few times a second at most, and once at the start and the end. */
export interface ModelDownloadProgressParams {
  repo: string;
  dir: string;
  /** Including what an earlier, interrupted run left. */
  bytesDone: number;
  bytesTotal: number;
  /** Over the last few seconds. */
  bytesPerSecond: number;
  /** null until there is a speed to go by. */
  etaSeconds: number | null;
  filesDone: number;
  filesTotal: number;
  /** Files being transferred now. */
  activeFiles: string[];
}

export interface ModelDownloadResult {
  repo: string;
  revision: string;
  /** The model folder, resolved: what `model/load` takes. */
  dir: string;
  /** The revision, pinned. */
  commit: string;
  files: { path: string; size: number }[];
  totalBytes: number;
  /** Bytes received by this call (0 when the folder was already complete). */
  receivedBytes: number;
  alreadyComplete: boolean;
}

// ——— Generation ———

/** Per-request sampling settings; any left out use the model's recommended values for the mode. */
export interface SamplingOverrides {
  /** 0 is greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
  presencePenalty?: number;
  repetitionPenalty?: number;
  /** Same seed, same request, same model: same output. */
  seed?: number;
}

export const CHAT_ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** Whether a chat thinks first: the model's default (auto), always, or never. */
export const THINKING_MODES = ['auto', 'on', 'off'] as const;
export type ThinkingMode = (typeof THINKING_MODES)[number];

/** Why generation ended: an end token or stop string, the token limit, or cancellation. */
export type FinishReason = 'stop' | 'length' | 'cancelled';

/** New output of a `chat` request, in order; either channel may be missing. */
export interface ChatDeltaParams {
  requestId: string;
  reasoning?: string;
  content?: string;
}

export interface GenerationUsage {
  promptTokens: number;
  /** Prompt tokens whose keys and values came from the prefix cache instead of being computed. */
  cachedTokens: number;
  /**
   * Of the cached tokens, those restored from a KV snapshot on disk (the rest were in memory); absent from
   * engines that keep none. Computed tokens are promptTokens − cachedTokens.
   */
  diskTokens?: number;
  completionTokens: number;
  /** Prompt tokens computed per second of prefill (the cached ones do not count). */
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  /** From the request's arrival (queueing included) to its first token; null when none was generated. */
  timeToFirstTokenMs: number | null;
}

export interface ChatResult {
  finishReason: FinishReason;
  /** The whole answer: the concatenation of the `content` deltas. */
  content: string;
  /** The whole reasoning: the concatenation of the `reasoning` deltas. */
  reasoning: string;
  usage: GenerationUsage;
  thinking: { enabled: boolean; decidedBy: 'model' | 'soft-switch' | 'request' };
  /** The seed used, to reproduce the output. */
  seed: number;
}

export interface CompleteResult {
  text: string;
  finishReason: FinishReason;
  usage: GenerationUsage;
}

/** Requests the client sends to the engine: method → [params, result]. */
export interface EngineRequestMap {
  initialize: [InitializeParams, InitializeResult];
  ping: [void, PingResult];
  /** Collects the engine's garbage, then answers its memory: readings that do not depend on when V8 last collected. */
  'memory/collect': [void, MemoryUsage];
  'runtime/selfCheck': [void, RuntimeSelfCheckResult];
  /**
   * Loads a checkpoint, sending `model/progress`; on success it replaces the model serving its role (requests
   * still running on the old one end as cancelled), on failure the old one stays. Errors: ModelNotFound,
   * CheckpointInvalid, UnsupportedModel, LoadContextTooLarge, CacheUnwritable.
   */
  'model/load': [ModelLoadParams, ModelLoadResult];
  /** The model serving a role (default chat), or null. */
  'model/info': [ModelInfoParams, ModelInfo | null];
  /** Frees the model serving a role (its running requests end as cancelled); false when none did. */
  'model/unload': [ModelUnloadParams, { unloaded: boolean }];
  /** The models Hearth offers to download, each with its fit on this machine and its download folder's state. */
  'model/catalogue': [ModelCatalogueParams, ModelCatalogueResult];
  /**
   * The fit of a local checkpoint folder. Errors: ModelNotFound (no folder or no config.json), CheckpointInvalid
   * (an unfinished download: the hint says how to resume it), UnsupportedModel.
   */
  'model/fit': [ModelFitParams, ModelFitResult];
  /**
   * Downloads a checkpoint from Hugging Face (HF_ENDPOINT and HF_TOKEN honoured), sending `model/downloadProgress`.
   * Cancelling ($/cancelRequest) answers Cancelled and keeps what was fetched: the same request resumes it.
   * Errors: Unauthorized, ModelNotFound, DiskFull, CacheUnwritable, DownloadInProgress, DownloadFailed.
   */
  'model/download': [ModelDownloadParams, ModelDownloadResult];
  /**
   * Streams `chat/delta`; cancelling returns the output so far with finishReason "cancelled". Errors:
   * ModelNotLoaded, InvalidParams, ContextTooLarge, TooManyRequests.
   */
  chat: [ChatParams, ChatResult];
  /** Takes the model before chats at the next step boundary. Errors as for chat, and UnsupportedModel for fim. */
  complete: [CompleteParams, CompleteResult];
  tokenize: [TokenizeParams, { ids: number[] }];
  /** Token counts of plain texts (repository files for the context packer). */
  countTokens: [CountTokensParams, { counts: number[] }];
  /** Indexes the workspace (progress as `context/progress`); an index of other roots is replaced. */
  'context/index': [ContextIndexParams, ContextIndexStats];
  'context/update': [ContextUpdateParams, ContextUpdateResult];
  /** The repository block for a question: whole files in rank order, then outlines, then paths. */
  'context/pack': [ContextPackParams, ContextPackResult];
  /**
   * Prefills the repository prefix every chat starts with, at the lowest priority (`context/prefillProgress`);
   * a request that arrives meanwhile takes the model at the next run. Errors: ModelNotLoaded, InvalidParams.
   */
  'context/prefill': [ContextPrefillParams, ContextPrefillResult];
  /** The engine releases its resources, answers, then exits. */
  shutdown: [void, void];
}

/** Notifications the engine sends to the client: method → params. */
export interface EngineNotificationMap {
  'model/progress': ModelProgressParams;
  'model/downloadProgress': ModelDownloadProgressParams;
  'chat/delta': ChatDeltaParams;
  'context/progress': ContextProgressParams;
  'context/prefillProgress': ContextPrefillProgressParams;
}

export type EngineNotification = keyof EngineNotificationMap;
export type EngineNotificationParams<N extends EngineNotification> = EngineNotificationMap[N];

export type EngineMethod = keyof EngineRequestMap;
export type EngineParams<M extends EngineMethod> = EngineRequestMap[M][0];
export type EngineResult<M extends EngineMethod> = EngineRequestMap[M][1];

/**
 * Application error codes, outside JSON-RPC's reserved range (-32768..-32000) except where a standard
 * code means exactly the same thing.
 */
export const EngineErrorCode = {
  InvalidParams: -32602,
  InternalError: -32603,
  /** A request other than `initialize` arrived before `initialize`. */
  NotInitialized: 1000,
  /** Client and engine disagree on PROTOCOL_VERSION (an extension and engine from different builds). */
  ProtocolMismatch: 1001,
  ModelNotLoaded: 1100,
  ModelNotFound: 1101,
  CheckpointInvalid: 1102,
  UnsupportedModel: 1103,
  /** A prompt and the output asked for are longer than the loaded model's context. */
  ContextTooLarge: 1104,
  OutOfMemory: 1105,
  CacheUnwritable: 1106,
  /** Hugging Face refused the download: a gated or private model, or a bad HF_TOKEN. */
  Unauthorized: 1107,
  /** The network or the Hub failed past the retries, or the bytes did not verify: running it again resumes. */
  DownloadFailed: 1108,
  /** Not enough disk space for the download (checked before it starts, or the disk filled while writing). */
  DiskFull: 1109,
  /** Another download into the same folder is running. */
  DownloadInProgress: 1110,
  /** The context asked for at load cannot be served: its KV cache does not fit, or it passes the checkpoint's YaRN. */
  LoadContextTooLarge: 1111,
  ShuttingDown: 1200,
  /** More requests are waiting for the model than the engine queues. */
  TooManyRequests: 1201,
  /** A remote model server (hearth.engine.url) did not answer: it is down, or the URL is wrong. */
  RemoteUnreachable: 1300,
  /** A remote model server failed the request (a 5xx status). */
  RemoteServerError: 1301,
  /** A remote model server's stream ended before the answer did. */
  RemoteStreamCut: 1302,
  /** The client cancelled the request ($/cancelRequest): an outcome, not a failure (LSP's RequestCancelled). */
  Cancelled: -32800,
} as const;

export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** The `data` of every error response: what to do about it, for the one place that turns errors into UI. */
export interface EngineErrorData {
  /** The name of the code, e.g. "CheckpointInvalid", so logs read without a table. */
  kind: keyof typeof EngineErrorCode;
  /** What the user can do about it, in one sentence. */
  hint?: string;
}

export function engineErrorKind(code: number): keyof typeof EngineErrorCode | undefined {
  return (Object.keys(EngineErrorCode) as (keyof typeof EngineErrorCode)[]).find((k) => EngineErrorCode[k] === code);
}

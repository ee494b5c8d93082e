/**
 * The JSON-RPC protocol between the extension (client) and the engine subprocess (server).
 *
 * One entry per method in a type map, so that a method without a handler, or a call with the wrong
 * params, fails to compile on both sides. Transport: vscode-jsonrpc over the engine's stdio
 * (stdout carries protocol only; the engine logs to stderr). Cancellation is `$/cancelRequest`.
 */

/** Bumped whenever a method or payload changes incompatibly. */
export const PROTOCOL_VERSION = 1;

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface InitializeParams {
  clientName: string;
  clientVersion: string;
  protocolVersion: number;
  logLevel?: LogLevel;
}

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

/** Requests the client sends to the engine: method → [params, result]. */
export interface EngineRequestMap {
  initialize: [InitializeParams, InitializeResult];
  ping: [void, PingResult];
  'runtime/selfCheck': [void, RuntimeSelfCheckResult];
  /** The engine releases its resources, answers, then exits. */
  shutdown: [void, void];
}

/** Notifications the engine sends to the client: method → params. None yet; later issues add progress. */
export type EngineNotificationMap = Record<never, never>;

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
  ContextTooLarge: 1104,
  OutOfMemory: 1105,
  CacheUnwritable: 1106,
  ShuttingDown: 1200,
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

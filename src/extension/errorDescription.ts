import { EngineError } from '../shared/engineError';
import type { EngineErrorCode, KvCacheChoice, ModelRole } from '../shared/protocol';
import { EngineFailedError } from './engineFailedError';
import { EngineHungError } from './engineHungError';

/** What the user can do about an error, beside reading it. */
export type ErrorAction = 'selectModel' | 'setApiKey' | 'openSettings' | 'showLogs' | 'retry' | 'restartEngine';

/** The actions that fix an error's cause (a chat turn offers Retry and Show Logs itself, not these). */
export const FIX_ACTIONS: readonly ErrorAction[] = ['selectModel', 'setApiKey', 'openSettings'];

/** What a remote server's 401 is fixed by: the key in secret storage ("Hearth: Set API Key"), not a setting. */
export const API_KEY_TARGET = 'hearth.engine.apiKey';

/** The settings that choosing a model sets: the local checkpoint folder, or the remote server's model id. */
const MODEL_SETTINGS: readonly string[] = ['hearth.model.path', 'hearth.engine.model'];

export interface ErrorDescription {
  /** One or two sentences: what happened and, when the engine knows, what to do. */
  message: string;
  actions: ErrorAction[];
  /** The setting "Open Settings" opens (or that "Select Model" sets). */
  setting?: string;
}

type ErrorKind = keyof typeof EngineErrorCode;

/**
 * An engine error that a different setting fixes than its kind says: a model load's LoadContextTooLarge is fixed
 * by the setting loadContextSetting picks for the role and KV cache it was loaded with.
 */
export class EngineErrorWithSetting extends EngineError {
  constructor(
    error: EngineError,
    readonly setting: string,
  ) {
    super(error.code, error.message, error.hint);
  }
}

/**
 * The setting that fixes a model load's LoadContextTooLarge: the KV cache when float32 was asked for (the engine's
 * hint says whether the 8-bit cache fits); else the context length, except for the completion model, whose
 * context is fixed: a smaller completion model then.
 */
export function loadContextSetting(role: ModelRole, kvCache: KvCacheChoice | undefined): string {
  if (kvCache === 'float32') return 'hearth.engine.kvCache';
  return role === 'completion' ? 'hearth.model.completionPath' : 'hearth.model.contextLength';
}

/** The setting that fixes an error of this kind. */
const settingFor: Partial<Record<ErrorKind, string>> = {
  ModelNotFound: 'hearth.model.path',
  CheckpointInvalid: 'hearth.model.path',
  UnsupportedModel: 'hearth.model.path',
  ContextTooLarge: 'hearth.context.maxTokens',
  LoadContextTooLarge: 'hearth.model.contextLength',
  OutOfMemory: 'hearth.model.contextLength',
  CacheUnwritable: 'hearth.cacheDir',
  RemoteUnreachable: 'hearth.engine.url',
};

/** Errors that may pass when the request is made again. */
const retryable: readonly ErrorKind[] = [
  'TooManyRequests',
  'RemoteUnreachable',
  'RemoteServerError',
  'RemoteStreamCut',
];

/** Errors whose cause is in the engine's log rather than in the message. */
const logsHelp: readonly ErrorKind[] = [
  'InternalError',
  'CheckpointInvalid',
  'OutOfMemory',
  'ProtocolMismatch',
  'NotInitialized',
  'ShuttingDown',
];

// vscode-jsonrpc rejects the requests in flight this way when the engine's process (and so its pipe) is gone.
const connectionLost = /connection (got |was |is )?(disposed|closed)|pending response rejected/i;

/** `text` ended as a sentence: a full stop added when it has no end mark (it may start with a file name). */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' || /[.!?…]["')\]]*$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * Turns any error into what the UI says and offers. Pure, so every case is unit-tested; errorPresenter.ts
 * shows it.
 */
export function describeError(error: unknown): ErrorDescription {
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof EngineHungError)
    return { message: `${text} The answer so far is kept.`, actions: ['retry', 'showLogs'] };
  if (error instanceof EngineFailedError) return { message: text, actions: ['restartEngine', 'showLogs'] };
  if (connectionLost.test(text)) {
    return {
      message: 'The engine stopped while answering; Hearth restarts it. The answer so far is kept.',
      actions: ['retry', 'showLogs'],
    };
  }
  if (!(error instanceof EngineError)) return { message: text, actions: ['showLogs'] };
  const kind = error.kind ?? 'InternalError';
  const message = error.hint ? `${asSentence(error.message)} ${asSentence(error.hint)}` : asSentence(error.message);
  const setting = error instanceof EngineErrorWithSetting ? error.setting : settingFor[kind];
  const actions: ErrorAction[] = [];
  // A model is set by choosing one, which checks it first (the folder, or the server's list): better than the raw setting.
  if (setting !== undefined && MODEL_SETTINGS.includes(setting)) actions.push('selectModel');
  else if (setting === API_KEY_TARGET) actions.push('setApiKey');
  else if (setting !== undefined) actions.push('openSettings');
  if (retryable.includes(kind)) actions.push('retry');
  if (logsHelp.includes(kind)) actions.push('showLogs');
  return { message, actions, ...(setting !== undefined && { setting }) };
}

/**
 * Messages between the chat webview (src/webview) and the extension (src/extension), over postMessage.
 * Both sides switch exhaustively over `type`, so a message without a case fails to compile. Everything the
 * webview receives that came from the model is untrusted text: the webview renders it sanitised.
 */
import { isChoice } from './isChoice';
import { THINKING_MODES, type ThinkingMode } from './protocol';

export type { ThinkingMode };

export type EngineState = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed';

/** Whether the model thought for a turn, and why (the UI says which it chose in auto mode). */
export interface ThinkingDecision {
  enabled: boolean;
  /** 'model': the model always/never thinks; 'soft-switch': /think or /no_think; 'request': the toggle; 'auto': Hearth's guess from the question. */
  decidedBy: 'model' | 'soft-switch' | 'request' | 'auto';
}

/** What the model saw for a turn and how fast it went: the line under each answer. */
export interface TurnStats {
  filesWhole: number;
  /** Files shown as the definitions that match the question inside their outline (absent in older history). */
  filesExcerpted?: number;
  filesOutlined: number;
  filesListed: number;
  contextTokens: number;
  /** The block's overview, the same for every question: the part of the context that is reused. */
  overviewTokens?: number;
  promptTokens: number;
  cachedTokens: number;
  /** Of the cached tokens, those restored from a KV snapshot on disk; absent when the engine keeps none. */
  diskTokens?: number;
  completionTokens: number;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  timeToFirstTokenMs: number;
  /** The earlier turns' share of the prompt, in tokens (chat only). */
  historyTokens?: number;
  /** Earlier turns left out so that the prompt fits the context (chat only). */
  turnsLeftOut?: number;
}

export type FinishReason = 'stop' | 'length' | 'cancelled' | 'error';

export interface ChatTurn {
  id: string;
  question: string;
  reasoning: string;
  answer: string;
  /** Absent while the turn is streaming. */
  finishReason?: FinishReason;
  error?: string;
  thinking?: ThinkingDecision;
  stats?: TurnStats;
}

export interface ModelSummary {
  /** Display name, e.g. "Qwen3-4B-Instruct-2507-FP8". */
  name: string;
  kind: 'hybrid' | 'instruct-2507' | 'thinking-2507';
  contextLength: number;
}

/** Work that keeps the model from answering now (a load, indexing), shown in the chat header. */
export interface ChatActivity {
  /** "Loading Qwen3-4B-Instruct-2507-FP8… 45%", "Indexing the workspace… 40%". */
  text: string;
}

export type WebviewToExtensionMessage =
  | { type: 'ready' }
  | { type: 'showLogs' }
  | { type: 'selectModel' }
  | { type: 'ask'; text: string; thinking: ThinkingMode }
  /** `answerLength`: how much of the answer the view showed when it ended the turn (what the turn keeps). */
  | { type: 'stop'; turnId: string; answerLength?: number }
  | { type: 'retry'; turnId: string }
  /** Continues an answer that stopped at the token limit, in the same turn. */
  | { type: 'continue'; turnId: string }
  | { type: 'newChat' }
  | { type: 'setThinking'; mode: ThinkingMode }
  | { type: 'copyCode'; code: string }
  | { type: 'insertCode'; code: string }
  | { type: 'applyCode'; code: string; language: string };

export type ExtensionToWebviewMessage =
  | { type: 'engineState'; state: EngineState; detail?: string }
  | { type: 'model'; model: ModelSummary | null }
  | { type: 'activity'; activity: ChatActivity | null }
  /** Why the configured model cannot be served (a bad path), as the notification said; null when it can. */
  | { type: 'modelError'; message: string | null }
  | { type: 'history'; turns: ChatTurn[]; thinking: ThinkingMode }
  | { type: 'turnStarted'; turn: ChatTurn }
  | { type: 'turnDelta'; turnId: string; reasoning?: string; answer?: string }
  | { type: 'turnThinking'; turnId: string; thinking: ThinkingDecision }
  /** What a turn waits for before its first token ("Reading the prompt…"), shown until text arrives. */
  | { type: 'turnProgress'; turnId: string; text: string }
  | { type: 'turnFinished'; turnId: string; finishReason: FinishReason; error?: string; stats?: TurnStats };

/** Narrows untrusted postMessage data to a known webview message, or undefined. */
export function parseWebviewMessage(data: unknown): WebviewToExtensionMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const message = data as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof message[key] === 'string' ? message[key] : undefined);
  switch (message.type) {
    case 'ready':
    case 'showLogs':
    case 'selectModel':
    case 'newChat':
      return { type: message.type };
    case 'ask': {
      const question = text('text');
      const thinking = text('thinking');
      return question !== undefined && isChoice(THINKING_MODES, thinking)
        ? { type: 'ask', text: question, thinking }
        : undefined;
    }
    case 'stop': {
      const turnId = text('turnId');
      const length = message.answerLength;
      if (turnId === undefined) return undefined;
      return typeof length === 'number' && Number.isInteger(length) && length >= 0
        ? { type: 'stop', turnId, answerLength: length }
        : { type: 'stop', turnId };
    }
    case 'retry':
    case 'continue': {
      const turnId = text('turnId');
      return turnId === undefined ? undefined : { type: message.type, turnId };
    }
    case 'setThinking': {
      const mode = text('mode');
      return isChoice(THINKING_MODES, mode) ? { type: 'setThinking', mode } : undefined;
    }
    case 'copyCode':
    case 'insertCode': {
      const code = text('code');
      return code === undefined ? undefined : { type: message.type, code };
    }
    case 'applyCode': {
      const code = text('code');
      const language = text('language');
      return code === undefined || language === undefined ? undefined : { type: 'applyCode', code, language };
    }
    default:
      return undefined;
  }
}

import { isChoice } from '../../shared/isChoice';
import { THINKING_MODES } from '../../shared/protocol';
import type { ChatTurn, FinishReason, ThinkingDecision, ThinkingMode, TurnStats } from '../../shared/webviewProtocol';

/** A turn as the extension keeps it: the webview's turn plus the user message as sent, for byte-stable follow-ups. */
export interface StoredTurn extends ChatTurn {
  prompt?: string;
}

export interface StoredChat {
  turns: StoredTurn[];
  thinking: ThinkingMode;
}

/** The part of `vscode.Memento` this needs (workspaceState in the extension, a Map in tests). */
export interface ChatMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

const KEY = 'hearth.chat.v1';
/** Older turns are dropped from storage beyond this (the model sees far fewer anyway). */
export const MAX_STORED_TURNS = 200;
const finishReasons: readonly string[] = ['stop', 'length', 'cancelled', 'error'] satisfies FinishReason[];
const deciders: readonly string[] = [
  'model',
  'soft-switch',
  'request',
  'auto',
] satisfies ThinkingDecision['decidedBy'][];
const statKeys = [
  'filesWhole',
  'filesOutlined',
  'filesListed',
  'contextTokens',
  'promptTokens',
  'cachedTokens',
  'completionTokens',
  'prefillTokensPerSecond',
  'decodeTokensPerSecond',
  'timeToFirstTokenMs',
] as const satisfies readonly (keyof TurnStats)[];
/** Written by later versions: a turn saved before them has its stats without these. */
const optionalStatKeys = ['historyTokens', 'turnsLeftOut'] as const satisfies readonly (keyof TurnStats)[];

/**
 * The conversation of one workspace, kept in its workspaceState so it survives a window reload. What comes
 * back is validated (it may have been written by another version); a turn that was streaming when the
 * window went away ends as cancelled, its partial answer kept.
 */
export class ChatHistory {
  constructor(private readonly memento: ChatMemento) {}

  load(): StoredChat {
    const stored = this.memento.get<{ turns?: unknown; thinking?: unknown }>(KEY);
    const thinking = isChoice(THINKING_MODES, stored?.thinking) ? stored.thinking : 'auto';
    const turns = Array.isArray(stored?.turns) ? stored.turns.flatMap((turn) => toTurn(turn)) : [];
    return { turns, thinking };
  }

  save(chat: StoredChat): Thenable<void> {
    return this.memento.update(KEY, { turns: chat.turns.slice(-MAX_STORED_TURNS), thinking: chat.thinking });
  }
}

function toTurn(value: unknown): StoredTurn[] {
  if (typeof value !== 'object' || value === null) return [];
  const turn = value as Record<string, unknown>;
  const text = (key: string) => (typeof turn[key] === 'string' ? turn[key] : undefined);
  const id = text('id');
  const question = text('question');
  if (id === undefined || question === undefined) return [];
  const finishReason = text('finishReason');
  const restored: StoredTurn = {
    id,
    question,
    reasoning: text('reasoning') ?? '',
    answer: text('answer') ?? '',
    finishReason:
      finishReason !== undefined && finishReasons.includes(finishReason) ? (finishReason as FinishReason) : 'cancelled',
  };
  const prompt = text('prompt');
  const error = text('error');
  if (prompt !== undefined) restored.prompt = prompt;
  if (error !== undefined) restored.error = error;
  const thinking = toThinking(turn.thinking);
  const stats = toStats(turn.stats);
  if (thinking) restored.thinking = thinking;
  if (stats) restored.stats = stats;
  return [restored];
}

function toThinking(value: unknown): ThinkingDecision | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { enabled, decidedBy } = value as Record<string, unknown>;
  return typeof enabled === 'boolean' && typeof decidedBy === 'string' && deciders.includes(decidedBy)
    ? { enabled, decidedBy: decidedBy as ThinkingDecision['decidedBy'] }
    : undefined;
}

function toStats(value: unknown): TurnStats | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const isNumber = (number: unknown): number is number => typeof number === 'number' && Number.isFinite(number);
  const stats: Partial<Record<keyof TurnStats, number>> = {};
  for (const key of statKeys) {
    const number = record[key];
    if (!isNumber(number)) return undefined;
    stats[key] = number;
  }
  for (const key of optionalStatKeys) if (isNumber(record[key])) stats[key] = record[key];
  return stats as TurnStats;
}

/** The turn as the webview shows it (without the prompt Hearth keeps for itself). */
export function viewTurn({ prompt: _prompt, ...turn }: StoredTurn): ChatTurn {
  return turn;
}

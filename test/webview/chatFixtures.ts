import type { ChatTurn, TurnStats } from '../../src/shared/webviewProtocol';

export function turn(id: string, question: string, fields: Partial<ChatTurn> = {}): ChatTurn {
  return { id, question, reasoning: '', answer: '', ...fields };
}

export const stats: TurnStats = {
  filesWhole: 12,
  filesOutlined: 30,
  filesListed: 0,
  contextTokens: 48_210,
  promptTokens: 49_020,
  cachedTokens: 47_100,
  completionTokens: 310,
  prefillTokensPerSecond: 412.4,
  decodeTokensPerSecond: 9.84,
  timeToFirstTokenMs: 1234,
};

/** `text` cut into pieces of `size` characters (the last may be shorter). */
export function chunks(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces;
}

import type { ChatMessage } from '../../shared/protocol';

/**
 * The messages of a chat request. The repository block comes first in the system message and stays
 * byte-identical between turns, so the engine's prefix cache serves it to every follow-up; the instructions
 * follow it, then the earlier turns as they were sent (questions and answers, not reasoning), then the new
 * question.
 */

export const CHAT_INSTRUCTIONS = [
  "You are Hearth, a coding assistant that runs on the user's own machine.",
  "Above is the user's repository: whole files first, then outlines (signature lines only) of files that did not fit, then paths.",
  'Answer questions about it precisely and briefly, in Markdown. Refer to files by their repository paths.',
  'Put code in fenced code blocks with a language. When you change code, show the complete new version of what changes.',
].join('\n');

/** The block (possibly empty: no workspace folder) and then the instructions. */
export function repositorySystemMessage(block: string, instructions: string): ChatMessage {
  const repository = block.trimEnd();
  return { role: 'system', content: repository === '' ? instructions : `${repository}\n\n${instructions}` };
}

/** The active selection, quoted in the question. Lines are 1-based and inclusive. */
export interface SelectionQuote {
  path: string;
  startLine: number;
  endLine: number;
  languageId: string;
  text: string;
}

export interface UserMessageInput {
  question: string;
  selection?: SelectionQuote;
  /** About the mentions: unknown files, an empty selection. */
  notes?: readonly string[];
}

/** A code fence longer than any backtick run in the code, so the code cannot close it early. */
export function fenceCode(code: string, language: string): string {
  const longestRun = Math.max(0, ...(code.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${code.endsWith('\n') ? code : `${code}\n`}${fence}`;
}

export function lineRange(startLine: number, endLine: number): string {
  return startLine === endLine ? `line ${startLine}` : `lines ${startLine}-${endLine}`;
}

export function userMessage({ question, selection, notes = [] }: UserMessageInput): string {
  const parts: string[] = [];
  if (selection)
    parts.push(
      `Selected code (${selection.path}, ${lineRange(selection.startLine, selection.endLine)}):\n${fenceCode(selection.text, selection.languageId)}`,
    );
  if (notes.length > 0) parts.push(notes.map((note) => `(Note: ${note})`).join('\n'));
  parts.push(question);
  return parts.join('\n\n');
}

/** An earlier turn: its question as sent (with its quotes and notes) and its answer. */
export interface PriorTurn {
  question: string;
  /** The user message as it was sent; the bare question for turns from before it was kept. */
  prompt?: string;
  answer: string;
}

/** Earlier turns without an answer (failed before the first token) are left out: they taught the model nothing. */
export function chatMessages(system: ChatMessage, prior: readonly PriorTurn[], user: string): ChatMessage[] {
  const messages: ChatMessage[] = [system];
  for (const turn of prior) {
    if (turn.answer.trim() === '') continue;
    messages.push({ role: 'user', content: turn.prompt ?? turn.question }, { role: 'assistant', content: turn.answer });
  }
  messages.push({ role: 'user', content: user });
  return messages;
}

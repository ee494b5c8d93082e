import type { ChatMessage } from '../../shared/protocol';
import { fenceCode, lineRange, repositorySystemMessage, type SelectionQuote } from '../chat/chatMessages';

/** A refactor asks for the replacement of the selection only, in one fenced block, after thinking it through. */
export const REFACTOR_INSTRUCTIONS = [
  "You are Hearth, a coding assistant that runs on the user's own machine, and you are refactoring the user's code.",
  "Above is the user's repository. The user selected code in one file and says what to change.",
  'Think about what the change needs and how the rest of the repository uses this code.',
  'Then reply with the complete replacement for the selected code only, in a single fenced code block, and nothing after it.',
  'Keep the surrounding indentation, and keep everything the instruction does not ask to change.',
].join('\n');

/** The selected code to change, with its file and lines. */
export function refactorMessages(block: string, target: SelectionQuote, instruction: string): ChatMessage[] {
  const user = [
    `File: ${target.path}, ${lineRange(target.startLine, target.endLine)} selected:`,
    fenceCode(target.text, target.languageId),
    `Change: ${instruction.trim()}`,
    'Reply with the replacement for the selected code in one fenced code block.',
  ].join('\n\n');
  return [repositorySystemMessage(block, REFACTOR_INSTRUCTIONS), { role: 'user', content: user }];
}

const openingFence = /^ {0,3}(`{3,}|~{3,})[^\n`]*\n/m;

/**
 * The content of the first fenced code block in a Markdown answer; a block the answer ends inside (the token
 * limit) runs to the end. undefined when there is none.
 */
export function extractCodeBlock(markdown: string): string | undefined {
  const open = openingFence.exec(markdown);
  if (!open) return undefined;
  const fence = open[1] ?? '```';
  const body = markdown.slice(open.index + open[0].length);
  const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`, 'm').exec(body);
  return close ? body.slice(0, close.index) : body;
}

/** The replacement code in an answer: its first code block, else (a model that ignored the fence) the whole answer. */
export function replacementCode(answer: string): string | undefined {
  const code = extractCodeBlock(answer) ?? answer.trim();
  return code.trim() === '' ? undefined : code;
}

import { withoutReasoning, type ChatMessage, type ChatTemplate, type RenderOptions } from '../text/chatTemplate';
import type { PromptTokenizer } from './promptTokenizer';

/** Private-use characters: no tokenizer gives them meaning, and a message almost never holds one. */
const FIRST_MARKER = 0xe000;
const LAST_MARKER = 0xf8ff;

/**
 * Encodes a conversation the way the model's chat template lays it out, with control tokens only where the
 * template puts them. A rendered prompt cannot simply be encoded whole: a user message (or a repository file
 * in the system message) that spells `<|im_end|>` would end its turn early. So the template is rendered with
 * a placeholder for each message's content; the template's own text between placeholders is encoded with
 * control tokens recognised, and each content as plain text.
 *
 * Tool calls and tool definitions are the template's scaffold (as in transformers), so their BPE merges match.
 * Assumes the template copies contents verbatim, as Qwen's do. One difference from encoding the rendered text
 * whole: a content that starts with a newline does not merge it with the newline the template puts before it.
 */
export function encodeChatPrompt(
  template: Pick<ChatTemplate, 'render'>,
  tokenizer: Pick<PromptTokenizer, 'encode' | 'encodePlainText'>,
  messages: readonly ChatMessage[],
  options: RenderOptions,
): number[] {
  const marker = unusedMarker(messages);
  const rendered = template.render(
    // An empty content stays empty: templates test it (Qwen3 puts a newline between content and a tool call).
    messages.map((message, index) => ({
      ...message,
      content: message.content === '' ? '' : `${marker}${index}${marker}`,
    })),
    options,
  );
  // The template drops reasoning from earlier assistant turns; the placeholder hides it from the template.
  const contents = messages.map((message) =>
    message.role === 'assistant' ? withoutReasoning(message.content) : message.content,
  );
  const ids: number[] = [];
  let scaffoldStart = 0;
  for (const match of rendered.matchAll(new RegExp(`${marker}(\\d+)${marker}`, 'g'))) {
    append(ids, tokenizer.encode(rendered.slice(scaffoldStart, match.index)));
    append(ids, tokenizer.encodePlainText(contents[Number(match[1])]));
    scaffoldStart = match.index + match[0].length;
  }
  append(ids, tokenizer.encode(rendered.slice(scaffoldStart)));
  return ids;
}

function unusedMarker(messages: readonly ChatMessage[]): string {
  for (let code = FIRST_MARKER; code <= LAST_MARKER; code++) {
    const marker = String.fromCharCode(code);
    if (!messages.some((message) => message.content.includes(marker))) return marker;
  }
  throw new RangeError('every private-use character occurs in the conversation');
}

/** push(...source) without the argument limit that a 100K-token repository block would hit. */
function append(target: number[], source: readonly number[]): void {
  for (const id of source) target.push(id);
}

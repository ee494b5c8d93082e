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
 * A content the template changes (Qwen3 left-strips the last assistant turn's) is taken as the template shows it.
 * One difference from encoding the rendered text whole: a content that starts with a newline does not merge it
 * with the newline the template puts before it.
 */
export function encodeChatPrompt(
  template: Pick<ChatTemplate, 'render'>,
  tokenizer: Pick<PromptTokenizer, 'encode' | 'encodePlainText'>,
  messages: readonly ChatMessage[],
  options: RenderOptions,
): number[] {
  const marker = unusedMarker(messages);
  // An empty content stays empty: templates test it (Qwen3 puts a newline between content and a tool call).
  const placeholders = messages.map((message, index) => ({
    ...message,
    content: message.content === '' ? '' : `${marker}${index}${marker}`,
  }));
  const rendered = template.render(placeholders, options);
  const placeholder = new RegExp(`${marker}(\\d+)${marker}`, 'g');
  const contents = contentsAsRendered(template, messages, placeholders, options, rendered, placeholder);
  const ids: number[] = [];
  let scaffoldStart = 0;
  for (const match of rendered.matchAll(placeholder)) {
    append(ids, tokenizer.encode(rendered.slice(scaffoldStart, match.index)));
    append(ids, tokenizer.encodePlainText(contents[Number(match[1])]));
    scaffoldStart = match.index + match[0].length;
  }
  append(ids, tokenizer.encode(rendered.slice(scaffoldStart)));
  return ids;
}

/**
 * The start of every prompt whose system message begins with `text`: the template's scaffold up to the system
 * content, then `text` as plain text. A user turn is rendered after it because some templates insist on one.
 */
export function encodeSystemPrefix(
  template: Pick<ChatTemplate, 'render'>,
  tokenizer: Pick<PromptTokenizer, 'encode' | 'encodePlainText'>,
  text: string,
  options: RenderOptions,
): number[] {
  const marker = unusedMarker([{ role: 'system', content: text }]);
  const placeholder = `${marker}0${marker}`;
  const rendered = template.render(
    [
      { role: 'system', content: placeholder },
      { role: 'user', content: `${marker}1${marker}` },
    ],
    options,
  );
  const ids = [...tokenizer.encode(rendered.slice(0, rendered.indexOf(placeholder)))];
  append(ids, tokenizer.encodePlainText(text));
  return ids;
}

/**
 * The prompt that continues the conversation's last message, an assistant answer cut short: the conversation
 * as the template lays it out without a generation prompt, cut before that last turn's end, so the model goes
 * on writing the answer. The tokens are those it would have seen had it written the answer itself.
 */
export function encodeAnswerContinuation(
  template: Pick<ChatTemplate, 'render'>,
  tokenizer: Pick<PromptTokenizer, 'encode' | 'encodePlainText'>,
  messages: readonly ChatMessage[],
  options: Omit<RenderOptions, 'addGenerationPrompt'>,
  turnEnd: number,
): number[] {
  const ids = encodeChatPrompt(template, tokenizer, messages, { ...options, addGenerationPrompt: false });
  // Contents are encoded as plain text, so the last turn-end id is the template's, after the answer.
  const end = ids.lastIndexOf(turnEnd);
  return end < 0 ? ids : ids.slice(0, end);
}

/**
 * Each message's content as the rendered conversation shows it. Most templates copy a content verbatim (the
 * template drops reasoning from earlier assistant turns, so that is done here); one the template changed is
 * found by rendering it alone among the placeholders and cutting out what lies between the placeholders' text.
 */
function contentsAsRendered(
  template: Pick<ChatTemplate, 'render'>,
  messages: readonly ChatMessage[],
  placeholders: readonly ChatMessage[],
  options: RenderOptions,
  rendered: string,
  placeholder: RegExp,
): string[] {
  const contents = messages.map((message) =>
    message.role === 'assistant' ? withoutReasoning(message.content) : message.content,
  );
  const whole = template.render(messages, options);
  if (rendered.replace(placeholder, (_, index: string) => contents[Number(index)]) === whole) return contents;
  return contents.map((content, index) => {
    const at = rendered.indexOf(placeholders[index].content);
    if (placeholders[index].content === '' || at < 0) return content;
    const before = rendered.slice(0, at);
    const after = rendered.slice(at + placeholders[index].content.length);
    const alone = template.render(
      placeholders.map((other, otherIndex) => (otherIndex === index ? messages[index] : other)),
      options,
    );
    const fits = alone.length >= before.length + after.length && alone.startsWith(before) && alone.endsWith(after);
    return fits ? alone.slice(before.length, alone.length - after.length) : content;
  });
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

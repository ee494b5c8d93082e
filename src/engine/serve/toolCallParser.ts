import { partialMatchLength } from '../../shared/partialMatch';

/** What the parser finds in a streamed answer, in order: answer text, the start of a call, its arguments. */
export type ToolCallEvent =
  | { kind: 'content'; text: string }
  | { kind: 'call'; index: number; name: string }
  | { kind: 'arguments'; index: number; text: string };

export interface ParsedToolCalls {
  content: string;
  toolCalls: { name: string; arguments: string }[];
}

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';
/** Qwen3's call as its template asks for it: `{"name": "f", "arguments": ` then the arguments object. */
const HEADER = /^\s*\{\s*"name"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"arguments"\s*:\s*(?=\S)/;
/** What may still turn out to be the call's closing `}` (and the spaces around it), held back from arguments. */
const POSSIBLE_END = /\s*\}?\s*$/;

type State =
  | { in: 'content' }
  /** Inside `<tool_call>`, before the header is complete (or when the call is not in the expected shape). */
  | { in: 'header'; text: string }
  | { in: 'arguments'; index: number; pending: string };

/**
 * Splits the answer a Qwen3 model streams into content and the calls it writes as
 * `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>`: arguments are passed on as they arrive, the way
 * OpenAI streams them, and tags split across chunks are held back until they are whole. A call that is not
 * JSON in that shape stays content, as vLLM's Hermes parser leaves it.
 */
export class ToolCallParser {
  private state: State = { in: 'content' };
  private held = '';
  private calls = 0;

  /** Calls started so far. */
  get callCount(): number {
    return this.calls;
  }

  push(text: string): ToolCallEvent[] {
    const events: ToolCallEvent[] = [];
    let rest = text;
    while (rest !== '') rest = this.step(rest, events);
    return events;
  }

  /** The output ended: what was held back, as it stands (an unclosed call's arguments stay cut short). */
  end(): ToolCallEvent[] {
    const events: ToolCallEvent[] = [];
    const { state } = this;
    if (state.in === 'content' && !(this.calls > 0 && this.held.trim() === '')) this.content(this.held, events);
    if (state.in === 'header') this.content(`${OPEN}${state.text}`, events);
    if (state.in === 'arguments') this.arguments(state.index, state.pending.replace(POSSIBLE_END, ''), events);
    this.state = { in: 'content' };
    this.held = '';
    return events;
  }

  /** A whole answer's content and calls. */
  static parse(text: string): ParsedToolCalls {
    const parser = new ToolCallParser();
    const result: ParsedToolCalls = { content: '', toolCalls: [] };
    for (const event of [...parser.push(text), ...parser.end()]) {
      if (event.kind === 'content') result.content += event.text;
      else if (event.kind === 'call') result.toolCalls.push({ name: event.name, arguments: '' });
      else result.toolCalls[event.index].arguments += event.text;
    }
    return result;
  }

  /** Consumes what it can of `text` and returns the rest for the next state. */
  private step(text: string, events: ToolCallEvent[]): string {
    const { state } = this;
    if (state.in === 'content') {
      const all = this.held + text;
      const open = all.indexOf(OPEN);
      if (open >= 0) {
        this.emitContent(all.slice(0, open), events, true);
        this.state = { in: 'header', text: '' };
        return all.slice(open + OPEN.length);
      }
      const keep = partialMatchLength(all, OPEN);
      this.emitContent(all.slice(0, all.length - keep), events, false);
      this.held += all.slice(all.length - keep);
      return '';
    }
    if (state.in === 'header') {
      const all = state.text + text;
      const close = all.indexOf(CLOSE);
      const header = HEADER.exec(close >= 0 ? all.slice(0, close) : all);
      if (header !== null && !all.slice(header[0].length).startsWith('"')) {
        const index = this.calls++;
        events.push({ kind: 'call', index, name: JSON.parse(`"${header[1]}"`) as string });
        this.state = { in: 'arguments', index, pending: '' };
        return all.slice(header[0].length);
      }
      if (close < 0) {
        this.state = { in: 'header', text: all };
        return '';
      }
      this.whole(all.slice(0, close), events);
      this.state = { in: 'content' };
      return all.slice(close + CLOSE.length);
    }
    const all = state.pending + text;
    const close = all.indexOf(CLOSE);
    if (close >= 0) {
      this.arguments(state.index, all.slice(0, close).replace(POSSIBLE_END, ''), events);
      this.state = { in: 'content' };
      return all.slice(close + CLOSE.length);
    }
    const unsure = all.length - partialMatchLength(all, CLOSE);
    const safe = all.slice(0, unsure).replace(POSSIBLE_END, '');
    this.arguments(state.index, safe, events);
    this.state = { in: 'arguments', index: state.index, pending: all.slice(safe.length) };
    return '';
  }

  /** A call in another shape (arguments as a string, fields in another order): parsed once it is closed. */
  private whole(inner: string, events: ToolCallEvent[]): void {
    let call: unknown;
    try {
      call = JSON.parse(inner);
    } catch {
      call = undefined;
    }
    const { name, arguments: args } = (typeof call === 'object' && call !== null ? call : {}) as Record<
      string,
      unknown
    >;
    if (typeof name !== 'string' || args === undefined) {
      this.emitContent(`${OPEN}${inner}${CLOSE}`, events, true);
      return;
    }
    const index = this.calls++;
    events.push({ kind: 'call', index, name });
    this.arguments(index, typeof args === 'string' ? args : JSON.stringify(args), events);
  }

  /**
   * Content, except the blank text between and after calls (it only separates them). `final`: the text is
   * followed by a tag, so nothing of it needs holding.
   */
  private emitContent(text: string, events: ToolCallEvent[], final: boolean): void {
    this.held = '';
    if (this.calls > 0 && text.trim() === '') {
      if (!final) this.held = text;
      return;
    }
    this.content(text, events);
  }

  private content(text: string, events: ToolCallEvent[]): void {
    if (text !== '') events.push({ kind: 'content', text });
  }

  private arguments(index: number, text: string, events: ToolCallEvent[]): void {
    if (text !== '') events.push({ kind: 'arguments', index, text });
  }
}

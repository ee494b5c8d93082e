import { partialMatchLength } from './partialMatch';

/** Where the output of a model starts, for the reasoning parser. */
export type ReasoningStart =
  /** Plain answer, never reasoning: `<think>` in the output is ordinary text. */
  | 'content'
  /** The output may open with `<think>`; otherwise it is all answer. */
  | 'optional'
  /** The prompt opened `<think>` already: the output is reasoning until `</think>`. */
  | 'inside';

const OPEN_TAG = '<think>';
const CLOSE_TAG = '</think>';

/** Text for each channel from one step; either may be empty. */
export interface ReasoningDelta {
  reasoning: string;
  content: string;
}

export type ReasoningPhase = 'start' | 'reasoning' | 'content';

/**
 * Splits streamed output into a reasoning channel (between `<think>` and `</think>`) and a content channel.
 * Tags may arrive in pieces ("<th", "ink>"), so a possible tag prefix is held back until it resolves. Only
 * a `<think>` at the very start of the output opens reasoning, and only the first `</think>` closes it:
 * later tags are ordinary text (an answer may well talk about them). Each channel is stripped of leading and
 * trailing newlines, like the Qwen3 model card's `.strip("\n")`, which is why the newline after `<think>` and
 * the blank line after `</think>` never reach the user.
 */
export class ReasoningParser {
  private phase: ReasoningPhase;
  /** Text not yet assigned to a channel: a possible tag prefix (or leading whitespace before `<think>`). */
  private pending = '';
  private readonly reasoning = new NewlineTrimmedChannel();
  private readonly content = new NewlineTrimmedChannel();

  constructor(private readonly start: ReasoningStart) {
    this.phase = start === 'content' ? 'content' : 'start';
  }

  /** Where the parser is: the service can tell the user the model is still thinking. */
  get currentPhase(): ReasoningPhase {
    return this.phase;
  }

  push(text: string): ReasoningDelta {
    const delta: ReasoningDelta = { reasoning: '', content: '' };
    this.pending += text;
    if (this.phase === 'start') this.resolveStart();
    if (this.phase === 'reasoning') this.scanReasoning(delta);
    if (this.phase === 'content') {
      delta.content += this.content.write(this.pending);
      this.pending = '';
    }
    return delta;
  }

  /** Releases what was held back once the output is complete. */
  finish(): ReasoningDelta {
    const delta: ReasoningDelta = { reasoning: '', content: '' };
    if (this.phase === 'start') this.phase = this.start === 'inside' ? 'reasoning' : 'content';
    if (this.phase === 'reasoning') delta.reasoning = this.reasoning.write(this.pending);
    else delta.content = this.content.write(this.pending);
    this.pending = '';
    return delta;
  }

  /** Before the first visible text: does the output open with `<think>` (after optional whitespace)? */
  private resolveStart(): void {
    const rest = this.pending.trimStart();
    if (rest.startsWith(OPEN_TAG)) {
      this.pending = rest.slice(OPEN_TAG.length);
      this.phase = 'reasoning';
    } else if (!OPEN_TAG.startsWith(rest)) {
      this.phase = this.start === 'inside' ? 'reasoning' : 'content';
    }
  }

  private scanReasoning(delta: ReasoningDelta): void {
    const close = this.pending.indexOf(CLOSE_TAG);
    if (close >= 0) {
      delta.reasoning += this.reasoning.write(this.pending.slice(0, close));
      this.pending = this.pending.slice(close + CLOSE_TAG.length);
      this.phase = 'content';
      return;
    }
    const held = partialMatchLength(this.pending, CLOSE_TAG);
    delta.reasoning += this.reasoning.write(this.pending.slice(0, this.pending.length - held));
    this.pending = this.pending.slice(this.pending.length - held);
  }
}

/**
 * One channel's text with leading newlines dropped and trailing newlines held until more text follows,
 * so the channel as a whole comes out stripped of newlines at both ends.
 */
class NewlineTrimmedChannel {
  private started = false;
  private heldNewlines = '';

  write(text: string): string {
    if (!this.started) {
      text = text.replace(/^\n+/, '');
      if (text === '') return '';
      this.started = true;
    }
    const out = this.heldNewlines + text;
    const trailing = /\n+$/.exec(out);
    this.heldNewlines = trailing === null ? '' : trailing[0];
    return out.slice(0, out.length - this.heldNewlines.length);
  }
}

import { ReasoningParser, type ReasoningDelta, type ReasoningStart } from '../../shared/reasoningParser';
import { StopCriteria, type FinishReason, type StopOptions, type StopStep } from './stopCriteria';
import { StreamDecoder } from './streamDecoder';
import type { Tokenizer } from './tokenizer';

/** What one generated token adds to each channel, and whether it ended generation. */
export interface OutputDelta extends ReasoningDelta {
  finish?: FinishReason;
}

/**
 * The text side of one generation, token by token: decode without splitting characters, stop on end
 * tokens, stop strings and the token limit, and split the text into reasoning and answer. Stop strings
 * apply to the raw output, reasoning included, as in vLLM.
 */
export class GeneratedText {
  private readonly decoder: StreamDecoder;
  private readonly stop: StopCriteria;
  private readonly parser: ReasoningParser;
  private reasoningText = '';
  private contentText = '';

  /** Throws EngineError(InvalidParams) for bad stop options (see StopCriteria). */
  constructor(tokenizer: Pick<Tokenizer, 'decode'>, options: StopOptions & { reasoningStart: ReasoningStart }) {
    this.decoder = new StreamDecoder(tokenizer);
    this.stop = new StopCriteria(options);
    this.parser = new ReasoningParser(options.reasoningStart);
  }

  get finishReason(): FinishReason | undefined {
    return this.stop.finishReason;
  }

  /** Generated tokens so far, the end token included. */
  get tokenCount(): number {
    return this.stop.tokenCount;
  }

  /** Everything emitted so far, per channel. */
  get reasoning(): string {
    return this.reasoningText;
  }

  get content(): string {
    return this.contentText;
  }

  push(tokenId: number): OutputDelta {
    // The end token's text is never output, even where the tokenizer does not mark it special.
    const text = this.stop.isEndToken(tokenId) ? '' : this.decoder.push(tokenId);
    return this.emit(this.stop.accept(tokenId, text));
  }

  /** Ends generation at the client's request; what was held back is released. */
  cancel(): OutputDelta {
    return this.stop.finishReason === undefined ? this.emit(this.stop.cancel()) : { reasoning: '', content: '' };
  }

  private emit(step: StopStep): OutputDelta {
    let text = step.text;
    // At the end, a character cut off by the token limit decodes as U+FFFD, as a whole-output decode would;
    // after a stop string everything is dropped anyway.
    if (step.finish !== undefined && step.stopString === undefined) text += this.decoder.flush();
    const delta: OutputDelta = this.parser.push(text);
    if (step.finish !== undefined) {
      const tail = this.parser.finish();
      delta.reasoning += tail.reasoning;
      delta.content += tail.content;
      delta.finish = step.finish;
    }
    this.reasoningText += delta.reasoning;
    this.contentText += delta.content;
    return delta;
  }
}

import type { ReasoningDelta } from '../../shared/reasoningParser';
import { StopCriteria, type FinishReason, type StopOptions, type StopStep } from '../text/stopCriteria';
import { StreamDecoder } from '../text/streamDecoder';
import type { Tokenizer } from '../text/tokenizer';

/**
 * The text side of a raw completion: decoding and stop criteria as in GeneratedText, but verbatim — no
 * reasoning channel, and no newline trimming, since the newlines a completion starts or ends with are code.
 */
export class CompletionText {
  private readonly decoder: StreamDecoder;
  private readonly stop: StopCriteria;
  private text = '';

  /** Throws EngineError(InvalidParams) for bad stop options (see StopCriteria). */
  constructor(tokenizer: Pick<Tokenizer, 'decode'>, options: StopOptions) {
    this.decoder = new StreamDecoder(tokenizer);
    this.stop = new StopCriteria(options);
  }

  get finishReason(): FinishReason | undefined {
    return this.stop.finishReason;
  }

  get content(): string {
    return this.text;
  }

  push(tokenId: number): ReasoningDelta {
    const text = this.stop.isEndToken(tokenId) ? '' : this.decoder.push(tokenId);
    return this.emit(this.stop.accept(tokenId, text));
  }

  cancel(): ReasoningDelta {
    return this.stop.finishReason === undefined ? this.emit(this.stop.cancel()) : { reasoning: '', content: '' };
  }

  private emit(step: StopStep): ReasoningDelta {
    // Past a stop string everything is dropped; otherwise a character cut off at the end decodes as U+FFFD.
    const text =
      step.finish !== undefined && step.stopString === undefined ? step.text + this.decoder.flush() : step.text;
    this.text += text;
    return { reasoning: '', content: text };
  }
}

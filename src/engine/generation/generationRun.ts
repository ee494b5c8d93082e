import type { FinishReason, GenerationUsage } from '../../shared/protocol';
import type { ReasoningDelta } from '../../shared/reasoningParser';
import { Sampler } from '../text/sampler';
import type { ResolvedSampling } from '../text/samplingDefaults';
import type { CachedDecoder } from './cachedDecoder';
import type { DecoderScheduler, Priority, Turn } from './decoderScheduler';
import { UsageMeter } from './usageMeter';

/** The text side of a generation: GeneratedText for chat, CompletionText for raw completions. */
export interface OutputText {
  readonly finishReason: FinishReason | undefined;
  /** Takes a generated token; returns the text it releases to each channel. */
  push(tokenId: number): ReasoningDelta;
  /** Ends the output at the client's request, releasing what was held back. */
  cancel(): ReasoningDelta;
}

/** One request's generation, with its prompt already encoded and its options validated. */
export interface GenerationJob {
  prompt: readonly number[];
  /** performance.now() when the request arrived: time to first token counts from here. */
  receivedAt: number;
  priority: Priority;
  sampling: ResolvedSampling;
  /** Decoding, stop criteria and the reasoning split for this request. */
  output: OutputText;
  /** Called with each token's new text, when it has any. */
  onDelta?: (delta: ReasoningDelta) => void;
  /** The decoder sequence to run on (ServedModel.completionSequence); default the model's main one. */
  sequence?: CachedDecoder;
}

export interface GenerationOutcome {
  finishReason: FinishReason;
  usage: GenerationUsage;
}

/** The decoder side a generation runs on. */
export interface GenerationTarget {
  scheduler: DecoderScheduler;
  decoder: CachedDecoder;
  /** Tokens the sampler may choose: the tokenizer's, not the embedding's padded rows. */
  vocabSize: number;
}

/**
 * Generates until an end token, a stop string, the token limit or the signal. Cancellation is an outcome,
 * not an error: the output so far comes back with finishReason "cancelled". Waits for its turn on the
 * decoder and gives it up at step boundaries to more urgent requests.
 */
export async function runGeneration(
  target: GenerationTarget,
  job: GenerationJob,
  signal: AbortSignal,
): Promise<GenerationOutcome> {
  const { output } = job;
  const meter = new UsageMeter(job.prompt.length, job.receivedAt);
  const emit = (delta: ReasoningDelta) => {
    if (delta.reasoning !== '' || delta.content !== '') job.onDelta?.(delta);
  };
  let turn: Turn | undefined;
  try {
    turn = await target.scheduler.acquire(job.priority, signal);
    const tokens = [...job.prompt];
    const prompt = await target.decoder.evaluate(tokens, turn, signal);
    meter.prompt(prompt);
    const sampler = new Sampler(job.sampling, job.sampling.seed, target.vocabSize, job.prompt);
    for (let logits = prompt.logits; ;) {
      const token = sampler.sample(logits);
      meter.token();
      emit(output.push(token));
      if (output.finishReason !== undefined) break;
      await turn.yield(signal);
      tokens.push(token);
      const step = await target.decoder.evaluate(tokens, turn, signal);
      meter.step(step);
      logits = step.logits;
    }
  } catch (error) {
    if (!signal.aborted) throw error;
    emit(output.cancel());
  } finally {
    turn?.release();
  }
  return { finishReason: output.finishReason ?? 'cancelled', usage: meter.usage() };
}

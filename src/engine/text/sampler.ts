import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { applyPresencePenalty, applyRepetitionPenalty, TokenHistory } from './logitsProcessors';
import type { SamplingParams } from './samplingParams';
import { SeededRandom } from './seededRandom';
import { argmax, TopCandidates } from './topCandidates';

/** Candidates examined first when top-k is off: top-p and min-p sets are usually far smaller. */
const INITIAL_WINDOW = 64;
const WINDOW_GROWTH = 4;
/**
 * Tokens whose weight exp((logit − max)/T) is below e^−40 ≈ 4·10⁻¹⁸ are left out of whole-vocabulary
 * sums: all 151,936 of them together weigh under 10⁻¹² of the best token, below double rounding over such
 * a sum, and skipping them replaces most of the exp() calls with a comparison.
 */
const NEGLIGIBLE_LOG_WEIGHT = -40;

/**
 * Chooses each next token of one sequence: penalties, then (unless greedy) temperature, top-k, top-p and
 * min-p in Hugging Face's order, then a draw from what remains with the sequence's own seeded generator.
 * The three filters each keep a best-first prefix of the ranking, so together they keep the shortest of the
 * three prefixes; only that prefix is ever ranked, never the whole vocabulary.
 */
export class Sampler {
  private readonly random: SeededRandom;
  private readonly history: TokenHistory;
  private readonly candidates = new TopCandidates();
  private weights = new Float64Array(0);

  /**
   * @param params validated settings (see resolveSampling)
   * @param seed the generator's seed
   * @param vocabSize the tokenizer's vocabulary: logits past it (an embedding padded to 151,936 rows) are
   *   never chosen
   * @param prompt the prompt's tokens, for the repetition penalty
   */
  constructor(
    private readonly params: SamplingParams,
    seed: number,
    private readonly vocabSize: number,
    prompt: Iterable<number> = [],
  ) {
    this.random = new SeededRandom(seed);
    this.history = new TokenHistory(vocabSize, params.repetitionPenalty === 1 ? [] : prompt);
  }

  /** The next token. Applies the penalties to `logits` in place, and records the token for later penalties. */
  sample(logits: Float32Array): number {
    const limit = Math.min(this.vocabSize, logits.length);
    applyRepetitionPenalty(logits, this.history, this.params.repetitionPenalty);
    applyPresencePenalty(logits, this.history, this.params.presencePenalty);
    const id = this.params.temperature === 0 ? argmax(logits, limit) : this.draw(logits, limit);
    if (id < 0) {
      throw new EngineError(
        EngineErrorCode.InternalError,
        'The model produced no usable logits (all NaN or −∞).',
        'This is a bug in the model runtime or a damaged checkpoint: report it with the model you loaded.',
      );
    }
    this.history.add(id);
    return id;
  }

  private draw(logits: Float32Array, limit: number): number {
    const { topK, topP, minP } = this.params;
    const k = topK > 0 ? Math.min(topK, limit) : limit;
    if (k === limit && topP >= 1 && minP <= 0) return this.drawFromAll(logits, limit);
    const scale = 1 / this.params.temperature;
    let wholeMass: number | undefined;

    for (
      let window = k < limit ? k : Math.min(INITIAL_WINDOW, limit);
      ;
      window = Math.min(window * WINDOW_GROWTH, limit)
    ) {
      const ranked = this.candidates.select(logits, window, limit);
      const max = logits[ranked[0]];
      if (!(max > -Infinity)) return -1;
      const weights = this.weightsFor(logits, ranked, max, scale);
      // Top-p is relative to the mass top-k left, or without top-k to the whole vocabulary's.
      const total = k < limit ? sum(weights, ranked.length) : (wholeMass ??= massOf(logits, limit, max, scale));

      let keep = ranked.length;
      let settled = window === k;
      if (minP > 0) {
        // p_i ≥ minP·p_max ⇔ weight_i ≥ minP, since the best token's weight is 1.
        let kept = 0;
        while (kept < ranked.length && weights[kept] >= minP) kept++;
        if (kept < ranked.length) settled = true;
        keep = Math.min(keep, kept);
      }
      if (topP < 1) {
        let mass = 0;
        let kept = 0;
        while (kept < ranked.length && mass < topP * total) mass += weights[kept++];
        if (mass >= topP * total) settled = true;
        keep = Math.min(keep, kept);
      }
      if (settled || window === limit) return ranked[this.pick(weights, keep)];
    }
  }

  /** No filter at all: one pass for the mass, one to find where the draw lands. */
  private drawFromAll(logits: Float32Array, limit: number): number {
    const best = argmax(logits, limit);
    if (best < 0) return -1;
    const max = logits[best];
    const scale = 1 / this.params.temperature;
    const floor = max + NEGLIGIBLE_LOG_WEIGHT / scale;
    let target = this.random.nextFloat() * massOf(logits, limit, max, scale);
    for (let i = 0; i < limit; i++) {
      const value = logits[i];
      if (!(value > floor)) continue;
      target -= Math.exp((value - max) * scale);
      if (target < 0) return i;
    }
    return best; // only reachable through rounding at the very end
  }

  /** exp((logit − max)/T) for the ranked candidates; the best one weighs 1. */
  private weightsFor(logits: Float32Array, ranked: Int32Array, max: number, scale: number): Float64Array {
    if (this.weights.length < ranked.length) this.weights = new Float64Array(ranked.length);
    for (let i = 0; i < ranked.length; i++) this.weights[i] = Math.exp((logits[ranked[i]] - max) * scale);
    return this.weights;
  }

  /** Draws a position in `weights[0..count)` with probability proportional to its weight. */
  private pick(weights: Float64Array, count: number): number {
    let target = this.random.nextFloat() * sum(weights, count);
    for (let i = 0; i < count; i++) {
      target -= weights[i];
      if (target < 0) return i;
    }
    return 0; // only reachable through rounding; the best candidate is always a valid choice
  }
}

/** Σ exp((logit − max)/T) over the vocabulary, negligible weights left out. */
function massOf(logits: Float32Array, limit: number, max: number, scale: number): number {
  const floor = max + NEGLIGIBLE_LOG_WEIGHT / scale;
  let total = 0;
  for (let i = 0; i < limit; i++) {
    const value = logits[i];
    if (value > floor) total += Math.exp((value - max) * scale);
  }
  return total;
}

function sum(values: Float64Array, count: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += values[i];
  return total;
}

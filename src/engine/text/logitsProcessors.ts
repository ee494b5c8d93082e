const IN_PROMPT = 1;
const GENERATED = 2;

/**
 * Which tokens a sequence holds so far, for the penalties. Kept incrementally (a flag per vocabulary entry
 * and a list of the distinct ids), so a step costs O(distinct tokens) rather than O(sequence length) —
 * which matters with a 256K-token prompt.
 */
export class TokenHistory {
  private readonly flags: Uint8Array;
  private readonly promptIds: number[] = [];
  private readonly generatedIds: number[] = [];

  constructor(vocabSize: number, prompt: Iterable<number> = []) {
    this.flags = new Uint8Array(vocabSize);
    for (const id of prompt) this.mark(id, IN_PROMPT, this.promptIds);
  }

  /** Records a generated token. */
  add(id: number): void {
    this.mark(id, GENERATED, this.generatedIds);
  }

  /** Distinct tokens of the prompt and the output: what the repetition penalty applies to. */
  *seen(): Generator<number> {
    yield* this.promptIds;
    for (const id of this.generatedIds) if ((this.flags[id] & IN_PROMPT) === 0) yield id;
  }

  /** Distinct generated tokens: what the presence penalty applies to. */
  generated(): readonly number[] {
    return this.generatedIds;
  }

  private mark(id: number, flag: number, list: number[]): void {
    if (id < 0 || id >= this.flags.length || (this.flags[id] & flag) !== 0) return;
    this.flags[id] |= flag;
    list.push(id);
  }
}

/**
 * Hugging Face's RepetitionPenaltyLogitsProcessor: each token already in the sequence (prompt included, as
 * in Hugging Face and vLLM) has a positive logit divided by the penalty and a negative one multiplied, so
 * a penalty above 1 always makes it less likely. 1 disables it. Modifies `logits` in place.
 */
export function applyRepetitionPenalty(logits: Float32Array, history: TokenHistory, penalty: number): void {
  if (penalty === 1) return;
  for (const id of history.seen()) {
    const logit = logits[id];
    logits[id] = logit > 0 ? logit / penalty : logit * penalty;
  }
}

/**
 * OpenAI's and vLLM's presence penalty: a flat amount subtracted from the logit of every token the output
 * already holds (the prompt does not count), pushing the model towards new tokens. The Qwen3 model cards
 * suggest 0 to 2 against endless repetition. 0 disables it. Modifies `logits` in place.
 */
export function applyPresencePenalty(logits: Float32Array, history: TokenHistory, penalty: number): void {
  if (penalty === 0) return;
  for (const id of history.generated()) logits[id] -= penalty;
}

import type { SamplingParams } from '../../../src/engine/text/samplingParams';
import type { SeededRandom } from '../../../src/engine/text/seededRandom';

/**
 * A naive transcription of Hugging Face's warpers (temperature, top-k, top-p, min-p over a fully sorted
 * vocabulary), drawing with the same generator so the optimised Sampler must choose exactly the same
 * tokens. Penalties are left to the caller. Weights are exp((logit − max)/T), summed best first: the same
 * arithmetic, so the same random number lands on the same token.
 */
export function referenceSample(
  logits: Float32Array,
  vocabSize: number,
  params: SamplingParams,
  random: SeededRandom,
): number {
  const ids = Array.from({ length: Math.min(vocabSize, logits.length) }, (_, i) => i);
  ids.sort((a, b) => logits[b] - logits[a] || a - b);
  if (params.temperature === 0) return ids[0];
  const max = logits[ids[0]];
  const weight = (id: number) => Math.exp((logits[id] - max) * (1 / params.temperature));

  const filtered = params.topK > 0 || params.topP < 1 || params.minP > 0;
  if (!filtered) {
    // Unfiltered, the draw walks the vocabulary in id order.
    let total = 0;
    for (let id = 0; id < ids.length; id++) total += weight(id);
    let target = random.nextFloat() * total;
    for (let id = 0; id < ids.length; id++) {
      target -= weight(id);
      if (target < 0) return id;
    }
    return ids[0];
  }

  let kept = params.topK > 0 ? ids.slice(0, params.topK) : ids;
  let total = 0;
  if (params.topK > 0) for (const id of kept) total += weight(id);
  else for (let id = 0; id < ids.length; id++) total += weight(id);
  if (params.topP < 1) {
    let mass = 0;
    let count = 0;
    while (count < kept.length && mass < params.topP * total) mass += weight(kept[count++]);
    kept = kept.slice(0, count);
  }
  if (params.minP > 0) kept = kept.filter((id) => weight(id) >= params.minP);

  let sum = 0;
  for (const id of kept) sum += weight(id);
  let target = random.nextFloat() * sum;
  for (const id of kept) {
    target -= weight(id);
    if (target < 0) return id;
  }
  return kept[0];
}

import type { OnnxDecoder } from '../onnx/onnxDecoder';
import { argmax } from '../text/topCandidates';
import { OrtSession, type Feed } from '../onnx/ortSession';
import type { WeightMatmulsModel } from '../onnx/weightMatmulsGraph';

/** One llama-bench style measurement: `pp512` (prompt processing), `tg128` or `tg128 @ d8192`. */
export interface BenchMeasurement {
  test: string;
  tokens: number;
  ms: number;
  tokensPerSecond: number;
  /** Generation tests: the median step, which a stray pause elsewhere on the machine does not move. */
  medianStepMs?: number;
}

/** Seeded token ids below `vocab`: the same prompt every run, with no special meaning to the model. */
export function benchTokens(count: number, vocab: number, seed = 1): number[] {
  let state = seed >>> 0 || 1;
  return Array.from({ length: count }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % vocab;
  });
}

/** Prompt processing: `tokens` positions prefilled into an empty cache. */
export async function measurePrefill(decoder: OnnxDecoder, tokens: number): Promise<BenchMeasurement> {
  decoder.truncate(0);
  const ids = benchTokens(tokens, decoder.config.vocabSize);
  const started = performance.now();
  await decoder.prefill(ids);
  return measurement(`pp${tokens}`, tokens, performance.now() - started);
}

/** Text generation: `tokens` decode steps after `depth` cached positions (the prefill is not timed). */
export async function measureDecode(decoder: OnnxDecoder, tokens: number, depth = 0): Promise<BenchMeasurement> {
  decoder.truncate(0);
  const ids = benchTokens(depth + 1, decoder.config.vocabSize, 2);
  let logits = await decoder.prefill(ids);
  const steps: number[] = [];
  for (let step = 0; step < tokens; step++) {
    const started = performance.now();
    logits = await decoder.decode(argmax(logits, logits.length));
    steps.push(performance.now() - started);
  }
  const total = steps.reduce((sum, ms) => sum + ms, 0);
  return { ...measurement(depth > 0 ? `tg${tokens} @ d${depth}` : `tg${tokens}`, tokens, total), medianStepMs: median(steps) };
}

/** The decoder's weight matmuls alone, one token: the floor of a decode step. Median over `runs`. */
export async function measureWeightMatmuls(model: WeightMatmulsModel, threads: number | undefined, runs = 20): Promise<number> {
  const session = await OrtSession.create(model.path, threads === undefined ? {} : { threads });
  try {
    const feeds: Record<string, Feed> = {};
    for (const [name, k] of model.inputs) feeds[name] = { data: Float32Array.from({ length: k }, (_, i) => Math.sin(i) * 0.5), dims: [1, k] };
    await session.run(feeds, model.outputs); // warm-up
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      await session.run(feeds, model.outputs);
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    await session.dispose();
  }
}

function measurement(test: string, tokens: number, ms: number): BenchMeasurement {
  return { test, tokens, ms, tokensPerSecond: (tokens * 1000) / ms };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

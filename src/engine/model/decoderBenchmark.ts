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
  /** `tg @ d` tests: the cached positions each step attends to besides its own. */
  depth?: number;
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
  const { decode } = await decodeSteps([decoder], tokens, depth, depth > 0 ? `tg${tokens} @ d${depth}` : `tg${tokens}`);
  return depth > 0 ? { ...decode, depth } : decode;
}

/**
 * `tokens` decode steps after `depth` cached positions, and the prefill of those positions from empty
 * (`pp${depth}`, as llama.cpp's benchmark fills its cache), timed apart.
 */
export async function measureDecodeAtDepth(
  decoder: OnnxDecoder,
  tokens: number,
  depth: number,
): Promise<{ prefill: BenchMeasurement; decode: BenchMeasurement }> {
  const { prefillMs, decode } = await decodeSteps([decoder], tokens, depth, `tg${tokens} @ d${depth}`);
  return { prefill: measurement(`pp${depth}`, depth + 1, prefillMs), decode: { ...decode, depth } };
}

/**
 * Models taking turns step by step, as the engine interleaves a chat answer and inline completions:
 * `tokens` steps in all. Each step's time against tg128's shows what the models cost each other.
 */
export async function measureTurns(decoders: readonly OnnxDecoder[], tokens: number): Promise<BenchMeasurement> {
  return (await decodeSteps(decoders, tokens, 0, `tg${tokens} ${decoders.length} models`)).decode;
}

async function decodeSteps(
  decoders: readonly OnnxDecoder[],
  tokens: number,
  depth: number,
  test: string,
): Promise<{ prefillMs: number; decode: BenchMeasurement }> {
  const logits: Float32Array[] = [];
  const prefillStarted = performance.now();
  for (const decoder of decoders) {
    decoder.truncate(0);
    logits.push(await decoder.prefill(benchTokens(depth + 1, decoder.config.vocabSize, 2)));
  }
  const prefillMs = performance.now() - prefillStarted;
  const steps: number[] = [];
  for (let step = 0; step < tokens; step++) {
    const turn = step % decoders.length;
    const started = performance.now();
    logits[turn] = await decoders[turn].decode(argmax(logits[turn], logits[turn].length));
    steps.push(performance.now() - started);
  }
  const total = steps.reduce((sum, ms) => sum + ms, 0);
  return { prefillMs, decode: { ...measurement(test, tokens, total), medianStepMs: median(steps) } };
}

/** A decode step and the same step's weight matmuls alone (one token through each weight matrix): medians. */
export interface StepOverhead {
  decodeStepMs: number;
  weightMatmulsMs: number;
}

/**
 * Decode steps at `depth` cached positions against the weight matmuls alone (a step's floor), in alternating
 * blocks so both see the same machine as its speed drifts; each block's first run, which pays for the switch
 * from the other session, is not counted.
 */
export async function measureStepOverhead(
  decoder: OnnxDecoder,
  model: WeightMatmulsModel,
  threads: number | undefined,
  { rounds = 8, perRound = 8, depth = 64 } = {},
): Promise<StepOverhead> {
  const session = await OrtSession.create(model.path, threads === undefined ? {} : { threads });
  try {
    const feeds: Record<string, Feed> = {};
    for (const [name, k] of model.inputs)
      feeds[name] = { data: Float32Array.from({ length: k }, (_, i) => Math.sin(i) * 0.5), dims: [1, k] };
    decoder.truncate(0);
    let logits = await decoder.prefill(benchTokens(depth, decoder.config.vocabSize, 3));
    const steps: number[] = [];
    const matmuls: number[] = [];
    for (let round = 0; round < rounds; round++) {
      decoder.truncate(depth);
      for (let run = 0; run <= perRound; run++) {
        const started = performance.now();
        logits = await decoder.decode(argmax(logits, logits.length));
        if (run > 0) steps.push(performance.now() - started);
      }
      for (let run = 0; run <= perRound; run++) {
        const started = performance.now();
        await session.run(feeds, model.outputs);
        if (run > 0) matmuls.push(performance.now() - started);
      }
    }
    return { decodeStepMs: median(steps), weightMatmulsMs: median(matmuls) };
  } finally {
    await session.dispose();
  }
}

function measurement(test: string, tokens: number, ms: number): BenchMeasurement {
  return { test, tokens, ms, tokensPerSecond: (tokens * 1000) / ms };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

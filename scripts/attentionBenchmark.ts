// Prefill attention alone, one layer at Qwen3-0.6B's geometry (16 query heads, 8 KV heads, head size 128): the
// engine's float32 formulation against onnxruntime's fused attention operators (issue 16).
//   node --import tsx scripts/attentionBenchmark.ts [--chunk 32,128,512] [--depth 0,2048,8192] [--rounds 5]
//       [--threads 2]
// Per (chunk S, depth P), the formulations run in turn within each round (the start rotates), each timed over
// session.run including onnxruntime-node's copy of what it fetches. Checks every context against (a) and sampled
// rows against a float64 reference. Prints a markdown table; never part of `npm test`.
import { parseArgs } from 'node:util';
import { OrtSession } from '../src/engine/onnx/ortSession';
import { Xoshiro128 } from '../src/engine/random/xoshiro128';
import {
  HEADS,
  HEAD_DIM,
  KV_HEADS,
  engineAttention,
  flashOverCache,
  groupQueryAttention,
  multiHeadAttention,
  type AttentionProblem,
  type Formulation,
} from './attentionFormulations';

const { values } = parseArgs({
  options: {
    chunk: { type: 'string', default: '32,128,512' },
    depth: { type: 'string', default: '0,2048,8192' },
    rounds: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
  },
});
const chunks = values.chunk.split(',').map(Number);
const depths = values.depth.split(',').map(Number);
const rounds = Number(values.rounds);
const threads = Number(values.threads);

/** Uniform values with standard deviation `std`, the same on every run. */
function randomArray(random: Xoshiro128, length: number, std: number): Float32Array {
  const out = new Float32Array(length);
  const scale = (std * Math.sqrt(3)) / 2 ** 31;
  for (let i = 0; i < length; i++) out[i] = (random.nextUint32() - 2 ** 31) * scale;
  return out;
}

function problemFor(S: number, P: number): AttentionProblem {
  const random = new Xoshiro128(S, P, 0x9e3779b9, 17);
  return {
    S,
    P,
    // Scores of standard deviation ~2, the scale already folded into the query.
    q: randomArray(random, S * HEADS * HEAD_DIM, 2 / Math.sqrt(HEAD_DIM)),
    k: randomArray(random, S * KV_HEADS * HEAD_DIM, 1),
    v: randomArray(random, S * KV_HEADS * HEAD_DIM, 1),
    pastKey: randomArray(random, KV_HEADS * P * HEAD_DIM, 1),
    pastValue: randomArray(random, KV_HEADS * P * HEAD_DIM, 1),
  };
}

/**
 * Largest |context − float64 reference| over all heads of rows 0, S/2 and S − 1; over the cached positions alone
 * when `cacheOnly`.
 */
function referenceError(problem: AttentionProblem, context: Float32Array, cacheOnly: boolean): number {
  const { S, P, q, k, v, pastKey, pastValue } = problem;
  let worst = 0;
  for (const s of new Set([0, S >> 1, S - 1])) {
    for (let h = 0; h < HEADS; h++) {
      const kv = Math.floor(h / (HEADS / KV_HEADS));
      const query = q.subarray((s * HEADS + h) * HEAD_DIM, (s * HEADS + h + 1) * HEAD_DIM);
      const keyAt = (j: number) =>
        j < P
          ? pastKey.subarray((kv * P + j) * HEAD_DIM, (kv * P + j + 1) * HEAD_DIM)
          : k.subarray(((j - P) * KV_HEADS + kv) * HEAD_DIM, ((j - P) * KV_HEADS + kv + 1) * HEAD_DIM);
      const valueAt = (j: number) =>
        j < P
          ? pastValue.subarray((kv * P + j) * HEAD_DIM, (kv * P + j + 1) * HEAD_DIM)
          : v.subarray(((j - P) * KV_HEADS + kv) * HEAD_DIM, ((j - P) * KV_HEADS + kv + 1) * HEAD_DIM);
      const scores = Array.from({ length: cacheOnly ? P : P + s + 1 }, (_, j) => {
        const key = keyAt(j);
        let dot = 0;
        for (let d = 0; d < HEAD_DIM; d++) dot += query[d] * key[d];
        return dot;
      });
      const max = Math.max(...scores);
      const weights = scores.map((x) => Math.exp(x - max));
      const sum = weights.reduce((a, b) => a + b, 0);
      const expected = new Float64Array(HEAD_DIM);
      weights.forEach((w, j) => {
        const value = valueAt(j);
        for (let d = 0; d < HEAD_DIM; d++) expected[d] += (w / sum) * value[d];
      });
      for (let d = 0; d < HEAD_DIM; d++)
        worst = Math.max(worst, Math.abs(context[(s * HEADS + h) * HEAD_DIM + d] - expected[d]));
    }
  }
  return worst;
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const format = (x: number, digits: number) => x.toFixed(digits);

async function main(): Promise<void> {
  const formulations: Formulation[] = [
    engineAttention('float32'),
    groupQueryAttention(true),
    groupQueryAttention(false),
    multiHeadAttention(),
    engineAttention('onePass'),
    flashOverCache(),
    engineAttention('int8'),
    engineAttention('matmulsOnly'),
    engineAttention('int8MatmulsOnly'),
  ];
  const sessions = await Promise.all(formulations.map((f) => OrtSession.create(f.graph, { threads })));
  const rows: string[] = [];
  const started = performance.now();
  for (const P of depths) {
    for (const S of chunks) {
      const problem = problemFor(S, P);
      const active = formulations.flatMap((f, i) => (f.part === 'cache only' && P === 0 ? [] : [i]));
      const feeds = formulations.map((f) => (active.includes(formulations.indexOf(f)) ? f.feeds(problem) : {}));
      const contexts = new Map<number, Float32Array>();
      for (const i of active) {
        const outputs = await sessions[i].run(feeds[i], formulations[i].outputs);
        contexts.set(i, outputs[formulations[i].outputs[0]] as Float32Array);
      }
      const times = new Map(active.map((i) => [i, [] as number[]]));
      for (let round = 0; round < rounds; round++) {
        for (let turn = 0; turn < active.length; turn++) {
          const i = active[(round + turn) % active.length];
          const start = performance.now();
          await sessions[i].run(feeds[i], formulations[i].outputs);
          times.get(i)!.push(performance.now() - start);
        }
      }
      const pairs = S * (P + S) * HEADS;
      const baseline = times.get(0)!;
      for (const i of active) {
        const f = formulations[i];
        const ms = times.get(i)!;
        // Ratios within each round, where both ran under the same load.
        const ratio = median(ms.map((t, round) => t / baseline[round]));
        const againstA = f.part ? 'n/a' : maxAbsDifference(contexts.get(i)!, contexts.get(0)!).toExponential(1);
        rows.push(
          `| ${S} | ${P} | ${f.name} | ${format(Math.min(...ms), 1)} | ${format(median(ms), 1)} | ` +
            `${format((median(ms) * 1e6) / pairs, 2)} | ${format(ratio, 2)} | ${againstA} | ` +
            `${f.part === 'no softmax' ? 'n/a' : referenceError(problem, contexts.get(i)!, f.part === 'cache only').toExponential(1)} |`,
        );
      }
      process.stderr.write(`S ${S}, P ${P} done at ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    }
  }
  await Promise.all(sessions.map((s) => s.dispose()));
  console.log(
    `One layer, ${HEADS} query heads over ${KV_HEADS} KV heads of ${HEAD_DIM}, ${threads} threads, ${rounds} rounds. ` +
      `ns/pair: median ms per (new position × attended position (P + S) × query head). × (a): median over rounds ` +
      `of the time against (a)'s in the same round, below 1 is faster. Errors: max |Δ| against (a) over the whole ` +
      `context, and against a float64 reference over rows 0, S/2, S − 1 (cache only for (e)).\n`,
  );
  console.log('| S | P | formulation | min ms | median ms | ns/pair | × (a) | vs (a) | vs float64 |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

void main();

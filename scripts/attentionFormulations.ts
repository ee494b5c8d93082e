// One layer's prefill attention at Qwen3-0.6B's geometry, in the formulations scripts/attentionBenchmark.ts times:
// each builds its graph with the engine's OnnxModelBuilder and lays a problem's inputs out as its graph wants them.
// Every graph takes the query already scaled (the engine folds the scale into the weights) and rotated.
import { Float32KvCache } from '../src/engine/onnx/float32KvCache';
import { int8KvAttention } from '../src/engine/onnx/int8KvAttention';
import { Int8KvCache } from '../src/engine/onnx/int8KvCache';
import type { Feed } from '../src/engine/onnx/ortSession';
import { MICROSOFT_DOMAIN as MS, OnnxModelBuilder, TensorType, float } from '../src/engine/onnx/onnxModelBuilder';

export const HEADS = 16;
export const KV_HEADS = 8;
export const HEAD_DIM = 128;
const GROUP = HEADS / KV_HEADS;
/** kvCache.ts's bucket: the engine's cache capacity is a multiple of it, and never empty. */
const CACHE_BUCKET = 64;

/** A chunk of S new positions over P cached ones, in one logical layout: q [S][heads][d], k/v [S][kvHeads][d],
 * pastKey/pastValue [kvHeads][P][d]. */
export interface AttentionProblem {
  S: number;
  P: number;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  pastKey: Float32Array;
  pastValue: Float32Array;
}

export interface Formulation {
  name: string;
  graph: Uint8Array;
  feeds(problem: AttentionProblem): Record<string, Feed>;
  /** What a run fetches (and onnxruntime-node copies); the first is the context [1, S, heads·d]. */
  outputs: string[];
  /** What a floor leaves out (it is not a whole answer): the chunk's own positions, or the softmax. */
  part?: 'cache only' | 'no softmax';
}

/** [rows][cols] → [cols][rows] for each of `batches` matrices. */
function transposed(data: Float32Array, batches: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < batches; b++) {
    const base = b * rows * cols;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[base + c * rows + r] = data[base + r * cols + c];
  }
  return out;
}

/** [S][heads][d] → [heads][S][d]. */
function headsFirst(data: Float32Array, S: number, heads: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let s = 0; s < S; s++)
    for (let h = 0; h < heads; h++)
      out.set(data.subarray((s * heads + h) * HEAD_DIM, (s * heads + h + 1) * HEAD_DIM), (h * S + s) * HEAD_DIM);
  return out;
}

/** The engine's additive mask [S][capacity + S]: cached positions visible, unused capacity hidden, chunk causal. */
function causalMask(S: number, used: number, capacity: number): Float32Array {
  const width = capacity + S;
  const mask = new Float32Array(S * width).fill(-Infinity);
  for (let row = 0; row < S; row++) {
    mask.fill(0, row * width, row * width + used);
    mask.fill(0, row * width + capacity, row * width + capacity + row + 1);
  }
  return mask;
}

type EngineKind = 'float32' | 'onePass' | 'int8' | 'matmulsOnly' | 'int8MatmulsOnly';
const ENGINE_NAMES: Record<EngineKind, string> = {
  float32: '(a) engine today',
  onePass: '(d) engine, one pass',
  int8: '(f) engine, int8 cache',
  matmulsOnly: '(g) the two MatMuls alone',
  int8MatmulsOnly: '(h) the two MatMulIntegers alone',
};

/**
 * The engine's own cache class holding P positions as the decoder's thread feeds it before a run of S: reserved
 * for P + S (the growth policy left out: capacity is P + S rounded up to a bucket), with its mask.
 */
function engineCacheFeeds(problem: AttentionProblem, int8: boolean): Record<string, Feed> {
  const { P, S } = problem;
  const geometry = { numLayers: 1, numKvHeads: KV_HEADS, headDim: HEAD_DIM };
  const length = Math.ceil((P + S) / CACHE_BUCKET) * CACHE_BUCKET;
  const cache = int8 ? new Int8KvCache(geometry, length) : new Float32KvCache(geometry, length);
  if (P > 0) {
    cache.reserve(P);
    const rows = (data: Float32Array) => [transposed(data, KV_HEADS, P, HEAD_DIM)];
    cache.append(rows(problem.pastKey), rows(problem.pastValue), P);
  }
  cache.reserve(P + S);
  const feeds: Record<string, Feed> = {
    attention_mask: { data: cache.attentionMask(S), dims: [S, cache.capacity + S] },
  };
  for (const [role, feed] of Object.entries(cache.layer(0))) if (feed) feeds[`past_${role}`] = feed;
  return feeds;
}

/**
 * The engine's attention and the layout steps around it (decoderGraph.ts), from the rotated q/k and the v rows.
 * float32: float32KvAttention rebuilt node for node, as it is a closure inside buildDecoderGraph; int8: the
 * engine's int8KvAttention itself. onePass concatenates cache and chunk first, so scores come from one MatMul and
 * one Softmax with no Concat or Split of scores; matmulsOnly and int8MatmulsOnly keep the two float or integer
 * matrix products alone (floors, not answers; the integer one over the cache only).
 */
export function engineAttention(kind: EngineKind): Formulation {
  const b = new OnnxModelBuilder();
  const int8 = kind === 'int8' || kind === 'int8MatmulsOnly';
  const q = b.input('q', TensorType.float, [1, HEADS, 'S', HEAD_DIM]); // RotaryEmbedding's output layout
  const k = b.input('k', TensorType.float, [1, KV_HEADS, 'S', HEAD_DIM]);
  const v = b.input('v', TensorType.float, [1, 'S', KV_HEADS * HEAD_DIM]);
  const pastKey = b.input('past_key', int8 ? TensorType.int8 : TensorType.float, [KV_HEADS, 1, HEAD_DIM, 'P']);
  const pastValue = int8
    ? b.input('past_value', TensorType.int8, [KV_HEADS, 'P', HEAD_DIM])
    : b.input('past_value', TensorType.float, [KV_HEADS, 1, HEAD_DIM, 'P']);
  const mask = b.input('attention_mask', TensorType.float, ['S', 'PS']);
  const query = b.op('Reshape', [q, b.int64s([KV_HEADS, GROUP, -1, HEAD_DIM])]);
  const [newKey] = b.opN('Transpose', [k], ['new_key'], { perm: [1, 0, 3, 2] });
  const valueHeads = b.op('Reshape', [v, b.int64s([1, -1, KV_HEADS, HEAD_DIM])]);
  const [newValue] = b.opN('Transpose', [valueHeads], ['new_value'], { perm: [2, 0, 3, 1] });
  let context: string;
  if (int8) {
    const perPosition = (role: string) => b.input(`past_${role}`, TensorType.float, [KV_HEADS, 1, 1, 'P']);
    const [keyScale, keyOffset, valueScale] = ['keyScale', 'keyOffset', 'valueScale'].map(perPosition);
    const past = { key: pastKey, value: pastValue, keyScale, keyOffset, valueScale };
    if (kind === 'int8') context = int8KvAttention(b, { query, newKey, newValue, mask }, past);
    else {
      // The int8 GEMMs over the cache with one narrowing pass between them; levels that mean nothing.
      const toUint8 = (x: string) => b.op('Cast', [x], { to: TensorType.uint8 });
      const levels = toUint8(b.op('Add', [b.op('Mul', [query, b.floatScalar(64)]), b.floatScalar(128)]));
      const dots = b.op('MatMulInteger', [levels, pastKey]);
      const values = b.op('Unsqueeze', [pastValue, b.int64s([1])]);
      context = b.op('Cast', [b.op('MatMulInteger', [toUint8(dots), values])], { to: TensorType.float });
    }
  } else if (kind === 'onePass' || kind === 'matmulsOnly') {
    const keys = b.op('Concat', [pastKey, newKey], { axis: -1 });
    const values = b.op('Concat', [pastValue, newValue], { axis: -1 });
    const scores = b.op('MatMul', [query, keys]);
    const probabilities = kind === 'onePass' ? b.op('Softmax', [b.op('Add', [scores, mask])], { axis: -1 }) : scores;
    context = b.op('FusedMatMul', [probabilities, values], { transB: 1 }, MS);
  } else {
    const probabilitySplit = b.op(
      'Concat',
      [b.op('Shape', [pastKey], { start: 3 }), b.op('Shape', [v], { start: 1, end: 2 })],
      { axis: 0 },
    );
    const scores = b.op('Concat', [b.op('MatMul', [query, pastKey]), b.op('MatMul', [query, newKey])], { axis: -1 });
    const probabilities = b.op('Softmax', [b.op('Add', [scores, mask])], { axis: -1 });
    const [pastProbabilities, chunkProbabilities] = b.opN('Split', [probabilities, probabilitySplit], 2, { axis: -1 });
    context = b.op('Add', [
      b.op('FusedMatMul', [pastProbabilities, pastValue], { transB: 1 }, MS),
      b.op('FusedMatMul', [chunkProbabilities, newValue], { transB: 1 }, MS),
    ]);
  }
  b.opN(
    'Reshape',
    [b.op('Transpose', [context], { perm: [2, 0, 1, 3] }), b.int64s([1, -1, HEADS * HEAD_DIM])],
    ['context'],
  );
  b.output('context', TensorType.float, [1, 'S', HEADS * HEAD_DIM]);
  b.output('new_key', TensorType.float, [KV_HEADS, 1, HEAD_DIM, 'S']);
  b.output('new_value', TensorType.float, [KV_HEADS, 1, HEAD_DIM, 'S']);
  return {
    name: ENGINE_NAMES[kind],
    graph: b.toBytes('engine_attention'),
    feeds: (problem) => ({
      q: { data: headsFirst(problem.q, problem.S, HEADS), dims: [1, HEADS, problem.S, HEAD_DIM] },
      k: { data: headsFirst(problem.k, problem.S, KV_HEADS), dims: [1, KV_HEADS, problem.S, HEAD_DIM] },
      v: { data: problem.v, dims: [1, problem.S, KV_HEADS * HEAD_DIM] },
      ...engineCacheFeeds(problem, int8),
    }),
    outputs: ['context', 'new_key', 'new_value'],
    ...((kind === 'matmulsOnly' || kind === 'int8MatmulsOnly') && { part: 'no softmax' }),
  };
}

/** The chunk's new rows in the BNSH cache layout [1, kvHeads, S, d], as a graph with a BNSH cache would emit them. */
function newRowsBnsh(b: OnnxModelBuilder, rows: string, name: string): string {
  const heads = b.op('Reshape', [rows, b.int64s([1, -1, KV_HEADS, HEAD_DIM])]);
  return b.opN('Transpose', [heads], [name], { perm: [0, 2, 1, 3] })[0];
}

/** q [1,S,heads·d], k/v [1,S,kvHeads·d] and a BNSH cache [1, kvHeads, P, d]. */
function bsnhFeeds(problem: AttentionProblem): Record<string, Feed> {
  const { S, P } = problem;
  return {
    q: { data: problem.q, dims: [1, S, HEADS * HEAD_DIM] },
    k: { data: problem.k, dims: [1, S, KV_HEADS * HEAD_DIM] },
    v: { data: problem.v, dims: [1, S, KV_HEADS * HEAD_DIM] },
    past_key: { data: problem.pastKey, dims: [1, KV_HEADS, P, HEAD_DIM] },
    past_value: { data: problem.pastValue, dims: [1, KV_HEADS, P, HEAD_DIM] },
  };
}

/**
 * com.microsoft.GroupQueryAttention over a BNSH cache. It always writes present K/V (past and chunk, P + S rows);
 * `fetchPresent` takes them back as the new cache (onnxruntime-node copies them into JS), otherwise the run
 * fetches only the chunk's new rows, which the engine would append to its own cache.
 */
export function groupQueryAttention(fetchPresent: boolean): Formulation {
  const b = new OnnxModelBuilder();
  const io = ['q', 'k', 'v'].map((n) =>
    b.input(n, TensorType.float, [1, 'S', (n === 'q' ? HEADS : KV_HEADS) * HEAD_DIM]),
  );
  const past = ['past_key', 'past_value'].map((n) => b.input(n, TensorType.float, [1, KV_HEADS, 'P', HEAD_DIM]));
  const seqlens = b.input('seqlens_k', TensorType.int32, [1]);
  const total = b.input('total_sequence_length', TensorType.int32, []);
  b.opN(
    'GroupQueryAttention',
    [...io, ...past, seqlens, total],
    ['context', 'present_key', 'present_value'],
    {
      num_heads: HEADS,
      kv_num_heads: KV_HEADS,
      scale: float(1),
    },
    MS,
  );
  newRowsBnsh(b, io[1], 'new_key');
  newRowsBnsh(b, io[2], 'new_value');
  b.output('context', TensorType.float, [1, 'S', HEADS * HEAD_DIM]);
  for (const name of ['present_key', 'present_value']) b.output(name, TensorType.float, [1, KV_HEADS, 'PS', HEAD_DIM]);
  for (const name of ['new_key', 'new_value']) b.output(name, TensorType.float, [1, KV_HEADS, 'S', HEAD_DIM]);
  return {
    name: fetchPresent ? '(b) GQA, present fetched' : "(b') GQA, new rows fetched",
    graph: b.toBytes('group_query_attention'),
    feeds: (problem) => ({
      ...bsnhFeeds(problem),
      seqlens_k: { data: Int32Array.of(problem.P + problem.S - 1), dims: [1] },
      total_sequence_length: { data: Int32Array.of(problem.P + problem.S), dims: [] },
    }),
    outputs: fetchPresent ? ['context', 'present_key', 'present_value'] : ['context', 'new_key', 'new_value'],
  };
}

/**
 * com.microsoft.MultiHeadAttention with K/V given whole in BNSH: it has no grouped heads, so the graph
 * concatenates cache and chunk and repeats each KV head for its query heads (a copy of 2× the layer's cache per
 * run); the causal mask goes in as attention_bias.
 */
export function multiHeadAttention(): Formulation {
  const b = new OnnxModelBuilder();
  const q = b.input('q', TensorType.float, [1, 'S', HEADS * HEAD_DIM]);
  const rows = ['k', 'v'].map((n) => b.input(n, TensorType.float, [1, 'S', KV_HEADS * HEAD_DIM]));
  const past = ['past_key', 'past_value'].map((n) => b.input(n, TensorType.float, [1, KV_HEADS, 'P', HEAD_DIM]));
  const mask = b.input('attention_mask', TensorType.float, ['S', 'PS']);
  const [key, value] = rows.map((row, i) => {
    const whole = b.op('Concat', [past[i], newRowsBnsh(b, row, i === 0 ? 'new_key' : 'new_value')], { axis: 2 });
    const grouped = b.op('Reshape', [whole, b.int64s([1, KV_HEADS, 1, -1, HEAD_DIM])]);
    const repeated = b.op('Expand', [grouped, b.int64s([1, 1, GROUP, 1, 1])]);
    return b.op('Reshape', [repeated, b.int64s([1, HEADS, -1, HEAD_DIM])]);
  });
  const bias = b.op('Unsqueeze', [mask, b.int64s([0, 1])]);
  b.opN('MultiHeadAttention', [q, key, value, '', '', bias], ['context'], { num_heads: HEADS, scale: float(1) }, MS);
  b.output('context', TensorType.float, [1, 'S', HEADS * HEAD_DIM]);
  for (const name of ['new_key', 'new_value']) b.output(name, TensorType.float, [1, KV_HEADS, 'S', HEAD_DIM]);
  return {
    name: '(c) MHA, K/V whole',
    graph: b.toBytes('multi_head_attention'),
    feeds: (problem) => ({
      ...bsnhFeeds(problem),
      attention_mask: { data: causalMask(problem.S, problem.P, problem.P), dims: [problem.S, problem.P + problem.S] },
    }),
    outputs: ['context', 'new_key', 'new_value'],
  };
}

/**
 * Not a whole answer: MultiHeadAttention over the cached positions only, with no mask, so onnxruntime takes its
 * tiled (flash) CPU kernel. The query heads sharing a KV head are stacked as extra query rows (8 heads, 2S rows),
 * so the cache needs no repeating; K/V are [1, P, kvHeads·d] (position-major), which the op transposes per run.
 */
export function flashOverCache(): Formulation {
  const b = new OnnxModelBuilder();
  const q = b.input('q', TensorType.float, [1, 'S', HEADS * HEAD_DIM]);
  const cache = ['past_key', 'past_value'].map((n) => b.input(n, TensorType.float, [1, 'P', KV_HEADS * HEAD_DIM]));
  const stacked = b.op('Reshape', [
    b.op('Transpose', [b.op('Reshape', [q, b.int64s([-1, KV_HEADS, GROUP, HEAD_DIM])])], { perm: [2, 0, 1, 3] }),
    b.int64s([1, -1, KV_HEADS * HEAD_DIM]),
  ]);
  const attended = b.op('MultiHeadAttention', [stacked, ...cache], { num_heads: KV_HEADS, scale: float(1) }, MS);
  const unstacked = b.op('Transpose', [b.op('Reshape', [attended, b.int64s([GROUP, -1, KV_HEADS, HEAD_DIM])])], {
    perm: [1, 2, 0, 3],
  });
  b.opN('Reshape', [unstacked, b.int64s([1, -1, HEADS * HEAD_DIM])], ['context']);
  b.output('context', TensorType.float, [1, 'S', HEADS * HEAD_DIM]);
  const positionMajor = (rows: Float32Array, P: number) => headsFirst(rows, KV_HEADS, P);
  return {
    name: '(e) MHA flash, cache only',
    graph: b.toBytes('flash_over_cache'),
    feeds: (problem) => ({
      q: { data: problem.q, dims: [1, problem.S, HEADS * HEAD_DIM] },
      past_key: { data: positionMajor(problem.pastKey, problem.P), dims: [1, problem.P, KV_HEADS * HEAD_DIM] },
      past_value: { data: positionMajor(problem.pastValue, problem.P), dims: [1, problem.P, KV_HEADS * HEAD_DIM] },
    }),
    outputs: ['context'],
    part: 'cache only',
  };
}

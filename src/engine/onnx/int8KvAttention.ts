/**
 * Attention over an 8-bit KV cache (int8KvCache.ts) from onnxruntime's CPU ops, without a float copy of the cache
 * on decode steps: MatMulInteger GEMVs over the int8 keys and values, and softmax in parts. The method, and the
 * formulations rejected, are in docs/architecture.md ("Who owns the KV cache").
 */
import { MICROSOFT_DOMAIN as MS, type OnnxModelBuilder, TensorType } from './onnxModelBuilder';
import { QUERY_LEVEL_OFFSET } from './int8KvCache';

/** Keeps scales of all-zero rows (a query of zeros, a fully masked past) from dividing by zero. */
const TINY = 1e-30;

export interface Int8PastInputs {
  /** int8 [kvHeads, 1, headDim, past] */
  key: string;
  /** float [kvHeads, 1, 1, past] each */
  keyScale: string;
  keyOffset: string;
  valueScale: string;
  /** int8 [kvHeads, past, headDim] */
  value: string;
}

export interface ChunkAttention {
  /** [kvHeads, group, S, headDim], scaled by 1/sqrt(headDim) */
  query: string;
  /** The chunk's own keys and values, float [kvHeads, 1, headDim, S] */
  newKey: string;
  newValue: string;
  /** additive [S, past + S]; only its last S columns are read (the past's mask is in keyOffset) */
  mask: string;
}

/** The attention context [kvHeads, group, S, headDim] of a chunk over the int8 past and itself. */
export function int8KvAttention(g: OnnxModelBuilder, chunk: ChunkAttention, past: Int8PastInputs): string {
  const reduceMax = (x: string) => g.op('ReduceMax', [x], { axes: [-1], keepdims: 1 });
  const reduceSum = (x: string) => g.op('ReduceSum', [x, g.int64s([-1])], { keepdims: 1 });
  const toFloat = (x: string) => g.op('Cast', [x], { to: TensorType.float });

  const queryScale = g.op('Max', [
    g.op('Mul', [reduceMax(g.op('Abs', [chunk.query])), g.floatScalar(1 / 127)]),
    g.floatScalar(TINY),
  ]);
  const queryLevels = g.op(
    'Cast',
    [g.op('Add', [g.op('Round', [g.op('Div', [chunk.query, queryScale])]), g.floatScalar(QUERY_LEVEL_OFFSET)])],
    { to: TensorType.uint8 },
  );
  const dots = toFloat(g.op('MatMulInteger', [queryLevels, past.key]));
  const pastScores = g.op('Mul', [g.op('Sub', [g.op('Mul', [dots, past.keyScale]), past.keyOffset]), queryScale]);
  // The mask's last S columns: the chunk's causal part (the past's is in keyOffset).
  const chunkMask = g.op('Slice', [
    chunk.mask,
    g.op('Shape', [past.key], { start: 3 }),
    g.int64s([Number.MAX_SAFE_INTEGER]),
    g.int64s([1]),
  ]);
  const chunkScores = g.op('Add', [g.op('MatMul', [chunk.query, chunk.newKey]), chunkMask]);

  const rowMax = g.op('Max', [reduceMax(pastScores), reduceMax(chunkScores)]);
  const pastWeights = g.op('Exp', [g.op('Sub', [pastScores, rowMax])]);
  const chunkWeights = g.op('Exp', [g.op('Sub', [chunkScores, rowMax])]);
  const total = g.op('Add', [reduceSum(pastWeights), reduceSum(chunkWeights)]);

  // w·valueScale, so that the value levels alone remain, as in a cache of unit scales.
  const weighted = g.op('Mul', [pastWeights, past.valueScale]);
  const weightMax = g.op('Max', [reduceMax(weighted), g.floatScalar(TINY)]);
  const x = g.op('Mul', [weighted, g.op('Div', [g.floatScalar(255), weightMax])]);
  const high = g.op('Floor', [x]);
  const low = g.op('QuantizeLinear', [g.op('Sub', [x, high]), g.floatScalar(1 / 255)]);
  // Both levels as rows of one product: the value cache is read once.
  const levels = g.op('Concat', [g.op('Cast', [high], { to: TensorType.uint8 }), low], { axis: 1 });
  const values = g.op('Unsqueeze', [past.value, g.int64s([1])]);
  const [highProduct, lowProduct] = g.opN('Split', [toFloat(g.op('MatMulInteger', [levels, values]))], 2, { axis: 1 });
  const highScale = g.op('Div', [weightMax, g.floatScalar(255)]);
  const pastContext = g.op('Add', [
    g.op('Mul', [highProduct, highScale]),
    g.op('Mul', [lowProduct, g.op('Div', [highScale, g.floatScalar(255)])]),
  ]);
  const chunkContext = g.op('FusedMatMul', [chunkWeights, chunk.newValue], { transB: 1 }, MS);
  return g.op('Div', [g.op('Add', [pastContext, chunkContext]), total]);
}

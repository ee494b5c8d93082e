/**
 * The decoder graph for Qwen3 (q/k norm), Qwen2 (q/k/v biases) and Llama, from ModelConfig alone.
 *
 * One run appends a chunk of S tokens to a past of P cached positions:
 *   inputs   inputs_embeds [1,S,hidden] (the engine looks the tokens up, embeddingRows.ts); rope_cos/rope_sin [S, headDim/2] (the chunk's rows, attention factor
 *            applied); attention_mask [S, P+S] (additive: 0 or −inf over [past buffer | chunk]);
 *            past_key.i / past_value.i [kvHeads,1,headDim,P] per layer (float32 cache; the int8 cache's
 *            inputs are listed in int8KvCache.ts and read by int8KvAttention.ts)
 *   outputs  logits [1,1,vocab] of the last position; new_key.i / new_value.i [kvHeads,1,headDim,S]
 * The cache is stored transposed (headDim × positions) so that a decode step runs onnxruntime's M=1 GEMV
 * kernels over contiguous positions, and the graph returns only the chunk's rows (the engine owns the cache;
 * onnxruntime would copy any output it returns). P ≥ 1 always: an empty past crashes some MatMul kernels.
 * Decode time beyond the weight matmuls is mostly per-node overhead, so the graph keeps nodes few: q and k
 * are normalized and rotated together, and the attention scale is folded into the weights.
 */
import type { KvCacheDtype } from '../../shared/protocol';
import type { ModelConfig } from '../checkpoint/modelConfig';
import {
  MATMUL_NBITS_BLOCK_SIZE,
  decoderTensorPlan,
  linearTensorSpecs,
  type DecoderTensor,
  type LinearPlan,
  type WeightFormat,
} from './decoderWeights';
import type { ExternalTensorLocation } from './externalDataFile';
import { int8KvAttention, type Int8PastInputs } from './int8KvAttention';
import type { KvLayerInputs } from './kvCache';
import { MICROSOFT_DOMAIN as MS, OnnxModelBuilder, TensorType, float } from './onnxModelBuilder';

type KvInputRole = keyof KvLayerInputs;
const PAST_INPUT_NAMES: Record<KvInputRole, string> = {
  key: 'past_key',
  value: 'past_value',
  keyScale: 'past_key_scale',
  keyOffset: 'past_key_offset',
  valueScale: 'past_value_scale',
};

export const DecoderIo = {
  inputEmbeds: 'inputs_embeds',
  ropeCos: 'rope_cos',
  ropeSin: 'rope_sin',
  attentionMask: 'attention_mask',
  pastKey: (layer: number) => `past_key.${layer}`,
  pastValue: (layer: number) => `past_value.${layer}`,
  /** A layer's cache input by its KvCache role. */
  past: (role: KvInputRole, layer: number) => `${PAST_INPUT_NAMES[role]}.${layer}`,
  logits: 'logits',
  newKey: (layer: number) => `new_key.${layer}`,
  newValue: (layer: number) => `new_value.${layer}`,
} as const;

/** Where an initializer's bytes come from: memory (embedded in the model) or a file beside the model. */
export type TensorPlacement = { data: DecoderTensor['data'] } | { external: ExternalTensorLocation };

/** Builds the graph; `placeTensor` is asked for every initializer the plan names. */
export function buildDecoderGraph(
  config: ModelConfig,
  format: WeightFormat,
  placeTensor: (name: string) => TensorPlacement,
  kvDtype: KvCacheDtype = 'float32',
): OnnxModelBuilder {
  const b = new OnnxModelBuilder();
  const { hiddenSize: hidden, numHeads, numKvHeads, headDim, vocabSize, intermediateSize } = config;
  const group = numHeads / numKvHeads;
  if (!Number.isInteger(group))
    throw new RangeError(`${numHeads} query heads do not split over ${numKvHeads} KV heads`);
  const plan = decoderTensorPlan(config, format);
  const epsilon = float(config.rmsNormEps);

  const placed = new Set<string>();
  /** Declares an initializer on first use. */
  const weight = (name: string, dtype: DecoderTensor['dtype'], shape: number[]): string => {
    if (placed.has(name)) return name;
    placed.add(name);
    const placement = placeTensor(name);
    const type = dtype === 'float32' ? TensorType.float : TensorType.uint8;
    return 'data' in placement
      ? b.initializer(name, type, shape, placement.data)
      : b.externalInitializer(name, type, shape, placement.external);
  };
  const vector = (name: string) => weight(name, 'float32', [hidden]);
  const linear = (x: string, spec: LinearPlan, outputName?: string): string => {
    const specs = linearTensorSpecs(spec, format);
    const [w, scales, bias] = [specs.weight, specs.scales, specs.bias].map((t) =>
      t ? weight(t.name, t.dtype, t.shape) : '',
    );
    const outputs = [spec.bias || outputName === undefined ? `${spec.name}.out` : outputName];
    const [y] =
      format === 'fp32'
        ? b.opN('MatMul', [x, w], outputs)
        : b.opN(
            'MatMulNBits',
            [x, w, scales],
            outputs,
            {
              K: spec.k,
              N: spec.n,
              bits: format === 'int8' ? 8 : 4,
              block_size: MATMUL_NBITS_BLOCK_SIZE,
              accuracy_level: 4,
            },
            MS,
          );
    return spec.bias ? b.opN('Add', [y, bias], [outputName ?? `${spec.name}.biased`])[0] : y;
  };

  const embeds = b.input(DecoderIo.inputEmbeds, TensorType.float, [1, 'sequence', hidden]);
  const cos = b.input(DecoderIo.ropeCos, TensorType.float, ['sequence', headDim / 2]);
  const sin = b.input(DecoderIo.ropeSin, TensorType.float, ['sequence', headDim / 2]);
  const mask = b.input(DecoderIo.attentionMask, TensorType.float, ['sequence', 'past_and_sequence']);
  const int8 = kvDtype === 'int8';
  const keyType = int8 ? TensorType.int8 : TensorType.float;
  const pastKeys = Array.from({ length: config.numLayers }, (_, layer) =>
    b.input(DecoderIo.pastKey(layer), keyType, [numKvHeads, 1, headDim, 'past']),
  );
  const pastValues = Array.from({ length: config.numLayers }, (_, layer) =>
    int8
      ? b.input(DecoderIo.pastValue(layer), TensorType.int8, [numKvHeads, 'past', headDim])
      : b.input(DecoderIo.pastValue(layer), TensorType.float, [numKvHeads, 1, headDim, 'past']),
  );
  const int8Past = (layer: number): Int8PastInputs => {
    const perPosition = (role: KvInputRole) =>
      b.input(DecoderIo.past(role, layer), TensorType.float, [numKvHeads, 1, 1, 'past']);
    return {
      key: pastKeys[layer],
      value: pastValues[layer],
      keyScale: perPosition('keyScale'),
      keyOffset: perPosition('keyOffset'),
      valueScale: perPosition('valueScale'),
    };
  };
  // Softmax runs over [past | chunk]; these sizes split the probabilities back.
  const probabilitySplit = b.op(
    'Concat',
    [b.op('Shape', [pastKeys[0]], { start: 3 }), b.op('Shape', [embeds], { start: 1, end: 2 })],
    { axis: 0 },
  );
  const rotaryPosition = b.int64s([0]); // cos/sin hold the chunk's own rows

  const attention = (normed: string, layerIndex: number): string => {
    const layer = plan.layers[layerIndex];
    const qkSize = (numHeads + numKvHeads) * headDim;
    const [qk, v] = b.opN('Split', [linear(normed, layer.qkv), b.int64s([qkSize, numKvHeads * headDim])], 2, {
      axis: -1,
    });
    let qkHeads = b.op('Reshape', [qk, b.int64s([1, -1, numHeads + numKvHeads, headDim])]);
    if (layer.qkNorm !== undefined) {
      qkHeads = b.op(
        'SimplifiedLayerNormalization',
        [qkHeads, weight(layer.qkNorm, 'float32', [numHeads + numKvHeads, headDim])],
        { axis: -1, epsilon },
      );
    }
    const rotated = b.op(
      'RotaryEmbedding',
      [b.op('Transpose', [qkHeads], { perm: [0, 2, 1, 3] }), rotaryPosition, cos, sin],
      { interleaved: 0 },
      MS,
    );
    const [q, k] = b.opN('Split', [rotated, b.int64s([numHeads, numKvHeads])], 2, { axis: 1 });
    // [kvHeads, group, S, headDim]: the query heads that share a KV head sit together.
    const query = b.op('Reshape', [q, b.int64s([numKvHeads, group, -1, headDim])]);
    // The cache's layout [kvHeads, 1, headDim, S], emitted as this layer's new rows.
    const [newKey] = b.opN('Transpose', [k], [DecoderIo.newKey(layerIndex)], { perm: [1, 0, 3, 2] });
    const valueHeads = b.op('Reshape', [v, b.int64s([1, -1, numKvHeads, headDim])]);
    const [newValue] = b.opN('Transpose', [valueHeads], [DecoderIo.newValue(layerIndex)], { perm: [2, 0, 3, 1] });

    const chunk = { query, newKey, newValue, mask };
    const context = int8 ? int8KvAttention(b, chunk, int8Past(layerIndex)) : float32KvAttention(chunk, layerIndex);
    // [kvHeads, group, S, headDim] → [S, heads·headDim]
    const merged = b.op('Reshape', [
      b.op('Transpose', [context], { perm: [2, 0, 1, 3] }),
      b.int64s([1, -1, numHeads * headDim]),
    ]);
    return linear(merged, layer.output);
  };

  const float32KvAttention = (chunk: { query: string; newKey: string; newValue: string }, layer: number): string => {
    const scores = b.op(
      'Concat',
      [b.op('MatMul', [chunk.query, pastKeys[layer]]), b.op('MatMul', [chunk.query, chunk.newKey])],
      { axis: -1 },
    );
    const probabilities = b.op('Softmax', [b.op('Add', [scores, mask])], { axis: -1 });
    const [pastProbabilities, chunkProbabilities] = b.opN('Split', [probabilities, probabilitySplit], 2, { axis: -1 });
    return b.op('Add', [
      b.op('FusedMatMul', [pastProbabilities, pastValues[layer]], { transB: 1 }, MS),
      b.op('FusedMatMul', [chunkProbabilities, chunk.newValue], { transB: 1 }, MS),
    ]);
  };

  const mlp = (normed: string, layer: number): string => {
    const spec = plan.layers[layer];
    const [gate, up] = b.opN(
      'Split',
      [linear(normed, spec.gateUp), b.int64s([intermediateSize, intermediateSize])],
      2,
      { axis: -1 },
    );
    // QuickGelu with alpha 1 is x·sigmoid(x): SiLU in one kernel.
    return linear(b.op('Mul', [b.op('QuickGelu', [gate], { alpha: float(1) }, MS), up]), spec.down);
  };

  /** RMSNorm(x + residual) and the new residual x + residual, in one kernel. */
  const addAndNorm = (x: string, residual: string, norm: string): [string, string] => {
    const [normed, , , sum] = b.opN(
      'SkipSimplifiedLayerNormalization',
      [x, residual, vector(norm)],
      4,
      { epsilon },
      MS,
    );
    return [normed, sum];
  };

  let residual = embeds;
  let normed = b.op('SimplifiedLayerNormalization', [residual, vector(plan.layers[0].inputNorm)], {
    axis: -1,
    epsilon,
  });
  let branch = '';
  for (let layer = 0; layer < config.numLayers; layer++) {
    if (layer > 0) [normed, residual] = addAndNorm(branch, residual, plan.layers[layer].inputNorm);
    [normed, residual] = addAndNorm(attention(normed, layer), residual, plan.layers[layer].postAttentionNorm);
    branch = mlp(normed, layer);
  }
  // Only the last position's logits are needed: slice before the final norm and the vocabulary matmul.
  const last = (x: string) => b.op('Slice', [x, b.int64s([-1]), b.int64s([Number.MAX_SAFE_INTEGER]), b.int64s([1])]);
  const [finalHidden] = addAndNorm(last(branch), last(residual), plan.finalNorm);
  if ('table' in plan.lmHead)
    b.opN(
      'FusedMatMul',
      [finalHidden, weight(plan.lmHead.table, 'float32', [vocabSize, hidden])],
      [DecoderIo.logits],
      { transB: 1 },
      MS,
    );
  else linear(finalHidden, plan.lmHead, DecoderIo.logits);

  b.output(DecoderIo.logits, TensorType.float, [1, 1, vocabSize]);
  for (let layer = 0; layer < config.numLayers; layer++) {
    b.output(DecoderIo.newKey(layer), TensorType.float, [numKvHeads, 1, headDim, 'sequence']);
    b.output(DecoderIo.newValue(layer), TensorType.float, [numKvHeads, 1, headDim, 'sequence']);
  }
  return b;
}

/**
 * The decoder graph's initializers, converted from a checkpoint's Hugging Face tensors. The ONNX graph and this
 * converter share one plan (`decoderTensorPlan`), so a tensor's name, type and shape are written down once. The
 * tensors come out one at a time in a form the converted-weights cache can store directly (TensorToWrite).
 */
import type { ModelConfig } from '../checkpoint/modelConfig';
import { matMulNBitsLayout, quantizeForMatMulNBits } from './matMulNBits';

/** What the decoder reads from a checkpoint; `Checkpoint` satisfies it structurally. */
export interface WeightSource {
  config: ModelConfig;
  has(name: string): boolean;
  /** A BF16/F16/F32 tensor decoded to float32, row-major. */
  readFloat32(name: string): Float32Array;
  /** The linear `prefix + '.weight'` as float32 [out][in], dequantized when the checkpoint stores it in FP8. */
  readLinearFloat32(prefix: string): Float32Array;
}

/** fp32: MatMul on float weights (exact, for tests); int8/int4: MatMulNBits with block 32. */
export type WeightFormat = 'fp32' | 'int8' | 'int4';

export const MATMUL_NBITS_BLOCK_SIZE = 32;

/** A linear layer of the graph: y = x·Wᵀ (+ b), W [n][k] stacked from one or more checkpoint linears. */
export interface LinearPlan {
  name: string;
  n: number;
  k: number;
  /** Checkpoint prefixes whose weights are stacked row-wise (q, k, v → one qkv projection). */
  sources: string[];
  bias: boolean;
  /** Multiplies the first `rows` output rows (weights and bias): the attention scale folded into q. */
  rowScale?: { rows: number; factor: number };
}

export interface LayerPlan {
  inputNorm: string;
  postAttentionNorm: string;
  qkv: LinearPlan;
  /**
   * Qwen3's per-head RMSNorm weights for q and k as one [numHeads + numKvHeads][headDim] tensor: q_norm
   * (times the attention scale) for each query head, then k_norm for each KV head.
   */
  qkNorm?: string;
  output: LinearPlan;
  gateUp: LinearPlan;
  down: LinearPlan;
}

export interface DecoderTensorPlan {
  /**
   * The token embedding: a float32 [vocab][hidden] table, or, for int8/int4, MatMulNBits-quantized rows. The
   * engine reads the rows it needs from the file (embeddingRows.ts); tied, they are lm_head's own tensors, so
   * the table costs no disk of its own (a float32 table of Qwen3-4B would take 1.56 GB).
   */
  embedding: { table: string } | { quantized: LinearPlan };
  layers: LayerPlan[];
  finalNorm: string;
  /** A linear layer, or with tied fp32 weights the embedding table itself (multiplied transposed). */
  lmHead: LinearPlan | { table: string };
}

export function decoderTensorPlan(config: ModelConfig, format: WeightFormat): DecoderTensorPlan {
  const { hiddenSize: hidden, numHeads, numKvHeads, headDim, intermediateSize, vocabSize } = config;
  const layers = Array.from({ length: config.numLayers }, (_, index): LayerPlan => {
    const hf = `model.layers.${index}`;
    const own = `layer${index}`;
    const attention = `${hf}.self_attn`;
    return {
      inputNorm: `${own}.input_norm`,
      postAttentionNorm: `${own}.post_attention_norm`,
      qkv: {
        name: `${own}.qkv`,
        n: (numHeads + 2 * numKvHeads) * headDim,
        k: hidden,
        sources: [`${attention}.q_proj`, `${attention}.k_proj`, `${attention}.v_proj`],
        bias: config.attentionBias,
        // Without q_norm the 1/sqrt(headDim) of q·k goes into the q rows; with it, into q_norm's weight.
        ...(config.qkNorm ? {} : { rowScale: { rows: numHeads * headDim, factor: attentionScale(config) } }),
      },
      ...(config.qkNorm ? { qkNorm: `${own}.qk_norm` } : {}),
      output: {
        name: `${own}.o_proj`,
        n: hidden,
        k: numHeads * headDim,
        sources: [`${attention}.o_proj`],
        bias: false,
      },
      gateUp: {
        name: `${own}.gate_up`,
        n: 2 * intermediateSize,
        k: hidden,
        sources: [`${hf}.mlp.gate_proj`, `${hf}.mlp.up_proj`],
        bias: false,
      },
      down: { name: `${own}.down`, n: hidden, k: intermediateSize, sources: [`${hf}.mlp.down_proj`], bias: false },
    };
  });
  const tied = config.tieWordEmbeddings;
  const lmHead: LinearPlan = {
    name: 'lm_head',
    n: vocabSize,
    k: hidden,
    sources: [tied ? 'model.embed_tokens' : 'lm_head'],
    bias: false,
  };
  // Quantized rows only when no block is padded (the layout the graph once gathered from; kept for the cache).
  const quantizedEmbedding = format !== 'fp32' && hidden % MATMUL_NBITS_BLOCK_SIZE === 0;
  const embedding: DecoderTensorPlan['embedding'] = !quantizedEmbedding
    ? { table: 'embed_tokens' }
    : {
        quantized: tied
          ? lmHead
          : { name: 'embed_tokens', n: vocabSize, k: hidden, sources: ['model.embed_tokens'], bias: false },
      };
  return {
    embedding,
    layers,
    finalNorm: 'final_norm',
    lmHead: tied && format === 'fp32' ? { table: 'embed_tokens' } : lmHead,
  };
}

/** 1/sqrt(headDim), the scale of q·k, folded into the weights so the graph needs no Mul for it. */
export function attentionScale(config: ModelConfig): number {
  return 1 / Math.sqrt(config.headDim);
}

export type TensorDtype = 'float32' | 'uint8';

/** One converted tensor; structurally a converted-weights cache `TensorToWrite`. */
export interface DecoderTensor {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  data: Float32Array | Uint8Array;
}

export type TensorSpec = Omit<DecoderTensor, 'data'>;

/** The initializers of one linear layer: fp32 Wᵀ [k][n], or MatMulNBits data and scales; and the bias. */
export interface LinearTensorSpecs {
  weight: TensorSpec;
  scales?: TensorSpec;
  bias?: TensorSpec;
}

export function linearTensorSpecs(linear: LinearPlan, format: WeightFormat): LinearTensorSpecs {
  const bias: TensorSpec | undefined = linear.bias
    ? { name: `${linear.name}.bias`, dtype: 'float32', shape: [linear.n] }
    : undefined;
  if (format === 'fp32')
    return { weight: { name: `${linear.name}.weight`, dtype: 'float32', shape: [linear.k, linear.n] }, bias };
  const layout = matMulNBitsLayout(linear.n, linear.k, format === 'int8' ? 8 : 4, MATMUL_NBITS_BLOCK_SIZE);
  return {
    weight: { name: `${linear.name}.weight_q`, dtype: 'uint8', shape: layout.dataShape },
    scales: { name: `${linear.name}.scales`, dtype: 'float32', shape: [linear.n * layout.blocksPerRow] },
    bias,
  };
}

/**
 * Converts the checkpoint's tensors into the graph's initializers, one at a time, so that only one linear
 * layer's float32 weights are in memory at once.
 */
export function* convertDecoderWeights(source: WeightSource, format: WeightFormat): Generator<DecoderTensor> {
  const { config } = source;
  const plan = decoderTensorPlan(config, format);
  const vector = (name: string, from: string): DecoderTensor => {
    const data = source.readFloat32(from);
    return { name, dtype: 'float32', shape: [data.length], data };
  };
  const readLinear = (prefix: string) =>
    prefix === 'model.embed_tokens' ? source.readFloat32(`${prefix}.weight`) : source.readLinearFloat32(prefix);

  if ('table' in plan.embedding) {
    yield {
      name: plan.embedding.table,
      dtype: 'float32',
      shape: [config.vocabSize, config.hiddenSize],
      data: source.readFloat32('model.embed_tokens.weight'),
    };
  } else if (plan.embedding.quantized !== plan.lmHead) {
    yield* convertLinear(plan.embedding.quantized, format, readLinear, source);
  }
  for (const [index, layer] of plan.layers.entries()) {
    const hf = `model.layers.${index}`;
    yield vector(layer.inputNorm, `${hf}.input_layernorm.weight`);
    yield* convertLinear(layer.qkv, format, readLinear, source);
    if (layer.qkNorm !== undefined)
      yield qkNormTensor(
        layer.qkNorm,
        config,
        source.readFloat32(`${hf}.self_attn.q_norm.weight`),
        source.readFloat32(`${hf}.self_attn.k_norm.weight`),
      );
    yield* convertLinear(layer.output, format, readLinear, source);
    yield vector(layer.postAttentionNorm, `${hf}.post_attention_layernorm.weight`);
    yield* convertLinear(layer.gateUp, format, readLinear, source);
    yield* convertLinear(layer.down, format, readLinear, source);
  }
  yield vector(plan.finalNorm, 'model.norm.weight');
  if (!('table' in plan.lmHead)) yield* convertLinear(plan.lmHead, format, readLinear, source);
}

function* convertLinear(
  linear: LinearPlan,
  format: WeightFormat,
  readLinear: (prefix: string) => Float32Array,
  source: WeightSource,
): Generator<DecoderTensor> {
  const specs = linearTensorSpecs(linear, format);
  const weight = stackRows(linear.sources.map(readLinear), linear.n * linear.k, linear.name);
  if (linear.rowScale) scaleInPlace(weight.subarray(0, linear.rowScale.rows * linear.k), linear.rowScale.factor);
  if (format === 'fp32') {
    yield { ...specs.weight, data: transpose(weight, linear.n, linear.k) };
  } else {
    const quantized = quantizeForMatMulNBits(
      weight,
      linear.n,
      linear.k,
      format === 'int8' ? 8 : 4,
      MATMUL_NBITS_BLOCK_SIZE,
    );
    yield { ...specs.weight, data: quantized.data };
    yield { ...specs.scales!, data: quantized.scales };
  }
  if (specs.bias) {
    const bias = stackRows(
      linear.sources.map((prefix) => source.readFloat32(`${prefix}.bias`)),
      linear.n,
      specs.bias.name,
    );
    if (linear.rowScale) scaleInPlace(bias.subarray(0, linear.rowScale.rows), linear.rowScale.factor);
    yield { ...specs.bias, data: bias };
  }
}

function qkNormTensor(name: string, config: ModelConfig, qNorm: Float32Array, kNorm: Float32Array): DecoderTensor {
  const { numHeads, numKvHeads, headDim } = config;
  const data = new Float32Array((numHeads + numKvHeads) * headDim);
  const scale = attentionScale(config);
  for (let head = 0; head < numHeads; head++) {
    for (let i = 0; i < headDim; i++) data[head * headDim + i] = qNorm[i] * scale;
  }
  for (let head = numHeads; head < numHeads + numKvHeads; head++) data.set(kNorm, head * headDim);
  return { name, dtype: 'float32', shape: [numHeads + numKvHeads, headDim], data };
}

function scaleInPlace(values: Float32Array, factor: number): void {
  for (let i = 0; i < values.length; i++) values[i] *= factor;
}

/** Concatenates row blocks into a new array: scaling it never touches the source's tensors. */
function stackRows(parts: Float32Array[], expectedLength: number, name: string): Float32Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  if (total !== expectedLength)
    throw new RangeError(`${name}: the checkpoint gives ${total} values, the config implies ${expectedLength}`);
  const out = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** [rows][cols] → [cols][rows]. */
function transpose(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = matrix[r * cols + c];
  }
  return out;
}

/** Bytes of the graph's initializers: what loading the model adds to memory, before any KV cache. */
export function decoderWeightBytes(config: ModelConfig, format: WeightFormat): number {
  const plan = decoderTensorPlan(config, format);
  const bytes = ({ weight, scales, bias }: LinearTensorSpecs) =>
    [weight, scales, bias].reduce(
      (sum, spec) => sum + (spec ? spec.shape.reduce((a, b) => a * b, spec.dtype === 'float32' ? 4 : 1) : 0),
      0,
    );
  const linears = new Set(plan.layers.flatMap((layer) => [layer.qkv, layer.output, layer.gateUp, layer.down]));
  if (!('table' in plan.lmHead)) linears.add(plan.lmHead);
  if ('quantized' in plan.embedding) linears.add(plan.embedding.quantized);
  const table = 'table' in plan.embedding ? config.vocabSize * config.hiddenSize : 0;
  const norms =
    config.numLayers *
      (2 * config.hiddenSize + (config.qkNorm ? (config.numHeads + config.numKvHeads) * config.headDim : 0)) +
    config.hiddenSize;
  return 4 * (table + norms) + [...linears].reduce((sum, linear) => sum + bytes(linearTensorSpecs(linear, format)), 0);
}

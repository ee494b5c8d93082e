import type { Architecture, ModelConfig } from '../checkpoint/modelConfig';

/**
 * The model dimensions of a synthetic checkpoint. `vocabSize` 151936 (Qwen3's) covers the real tokenizer
 * shipped with every synthetic checkpoint; tests that never tokenize may shrink it to save time, and such
 * checkpoints cannot encode most text.
 */
export type SyntheticGeometry = Pick<
  ModelConfig,
  | 'hiddenSize'
  | 'numLayers'
  | 'numHeads'
  | 'numKvHeads'
  | 'headDim'
  | 'intermediateSize'
  | 'vocabSize'
  | 'ropeTheta'
  | 'maxPositionEmbeddings'
>;

export type SyntheticGeometryName = 'tiny' | '0.6b' | '4b';
export type SyntheticDtype = 'fp8' | 'bf16' | 'f32';

const QWEN3_VOCAB = 151936;
const QWEN3_ROPE = { ropeTheta: 1e6, maxPositionEmbeddings: 40960 };

/** tiny for tests; 0.6b and 4b have the shapes of Qwen3-0.6B and Qwen3-4B, for benchmarks. */
export const SYNTHETIC_GEOMETRIES: Readonly<Record<SyntheticGeometryName, SyntheticGeometry>> = {
  tiny: {
    hiddenSize: 256,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 64,
    intermediateSize: 512,
    vocabSize: QWEN3_VOCAB,
    ...QWEN3_ROPE,
  },
  '0.6b': {
    hiddenSize: 1024,
    numLayers: 28,
    numHeads: 16,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 3072,
    vocabSize: QWEN3_VOCAB,
    ...QWEN3_ROPE,
  },
  '4b': {
    hiddenSize: 2560,
    numLayers: 36,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 9728,
    vocabSize: QWEN3_VOCAB,
    ...QWEN3_ROPE,
  },
};

export const FP8_BLOCK_SIZE: readonly [number, number] = [128, 128];
const BOS_TOKEN_ID = 151643; // <|endoftext|>
const EOS_TOKEN_ID = 151645; // <|im_end|>

const ARCHITECTURE_FIELDS: Readonly<Record<Architecture, Record<string, unknown>>> = {
  qwen3: {
    architectures: ['Qwen3ForCausalLM'],
    model_type: 'qwen3',
    attention_bias: false,
    use_sliding_window: false,
    sliding_window: null,
  },
  // Qwen2 has q/k/v biases unconditionally: its config has no attention_bias.
  qwen2: { architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', use_sliding_window: false, sliding_window: null },
  llama: {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    attention_bias: false,
    mlp_bias: false,
    pretraining_tp: 1,
  },
};

/** config.json as transformers writes it for this model (keys sorted, as save_pretrained does). */
export function syntheticConfigJson(
  geometry: SyntheticGeometry,
  arch: Architecture,
  dtype: SyntheticDtype,
  tied: boolean,
): Record<string, unknown> {
  const config: Record<string, unknown> = {
    ...ARCHITECTURE_FIELDS[arch],
    attention_dropout: 0,
    bos_token_id: BOS_TOKEN_ID,
    eos_token_id: EOS_TOKEN_ID,
    head_dim: geometry.headDim,
    hidden_act: 'silu',
    hidden_size: geometry.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: geometry.intermediateSize,
    max_position_embeddings: geometry.maxPositionEmbeddings,
    num_attention_heads: geometry.numHeads,
    num_hidden_layers: geometry.numLayers,
    num_key_value_heads: geometry.numKvHeads,
    rms_norm_eps: 1e-6,
    rope_scaling: null,
    rope_theta: geometry.ropeTheta,
    tie_word_embeddings: tied,
    torch_dtype: dtype === 'f32' ? 'float32' : 'bfloat16',
    transformers_version: '4.51.0',
    use_cache: true,
    vocab_size: geometry.vocabSize,
  };
  if (dtype === 'fp8') {
    config.quantization_config = {
      activation_scheme: 'dynamic',
      fmt: 'e4m3',
      quant_method: 'fp8',
      weight_block_size: [...FP8_BLOCK_SIZE],
    };
  }
  return Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** generation_config.json of the Qwen3 hybrid models (thinking-mode sampling). */
export const QWEN3_GENERATION_CONFIG: Readonly<Record<string, unknown>> = {
  bos_token_id: BOS_TOKEN_ID,
  do_sample: true,
  eos_token_id: [EOS_TOKEN_ID, BOS_TOKEN_ID],
  pad_token_id: BOS_TOKEN_ID,
  temperature: 0.6,
  top_k: 20,
  top_p: 0.95,
  transformers_version: '4.51.0',
};

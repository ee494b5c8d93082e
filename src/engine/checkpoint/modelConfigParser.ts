import {
  ConfigFields,
  boolean,
  positiveInt,
  positiveIntPair,
  positiveNumber,
  string,
  stringList,
  tokenId,
  tokenIds,
} from './configFields';
import type { GenerationConfig } from './generationConfig';
import type { Architecture, Fp8Quantization, ModelConfig, YarnScaling } from './modelConfig';

const ARCHITECTURES: Readonly<Record<string, Architecture>> = {
  Qwen3ForCausalLM: 'qwen3',
  Qwen2ForCausalLM: 'qwen2',
  LlamaForCausalLM: 'llama',
};
const MODEL_TYPES: Readonly<Record<string, Architecture>> = { qwen3: 'qwen3', qwen2: 'qwen2', llama: 'llama' };

/** Hugging Face's defaults where config.json may leave a field out. */
const DEFAULT_RMS_NORM_EPS = 1e-6;
const DEFAULT_ROPE_THETA = 10000;

/**
 * Reads a Hugging Face config.json into a ModelConfig, refusing anything the engine would run wrongly.
 * End-of-sequence ids from generation_config.json, when given, are added to config.json's own.
 */
export function parseModelConfig(json: unknown, file: string, generation?: GenerationConfig): ModelConfig {
  const fields = ConfigFields.of(json, file);
  const architecture = parseArchitecture(fields);

  const hiddenSize = fields.required('hidden_size', positiveInt);
  const numHeads = fields.required('num_attention_heads', positiveInt);
  const numKvHeads = fields.withDefault('num_key_value_heads', positiveInt, numHeads);
  if (numHeads % numKvHeads !== 0) {
    fields.fail('num_key_value_heads', `${numKvHeads} does not divide num_attention_heads (${numHeads})`);
  }
  const headDim = fields.optional('head_dim', positiveInt) ?? defaultHeadDim(fields, hiddenSize, numHeads);
  if (headDim % 2 !== 0) fields.fail('head_dim', `${headDim} is odd; rotary embeddings rotate pairs of dimensions`);

  const activation = fields.withDefault('hidden_act', string, 'silu');
  if (activation !== 'silu')
    fields.unsupported('hidden_act', `activation "${activation}" is not supported (only silu)`);
  if (fields.withDefault('use_sliding_window', boolean, false)) {
    fields.unsupported('use_sliding_window', 'sliding-window attention is not supported');
  }

  const maxPositionEmbeddings = fields.required('max_position_embeddings', positiveInt);
  const eosTokenIds = [
    ...new Set([...fields.withDefault('eos_token_id', tokenIds, []), ...(generation?.eosTokenIds ?? [])]),
  ];
  if (eosTokenIds.length === 0) {
    fields.fail(
      'eos_token_id',
      'is required: neither config.json nor generation_config.json names an end-of-sequence token',
    );
  }
  const quantization = parseQuantization(fields);
  const bosTokenId = fields.optional('bos_token_id', tokenId) ?? generation?.bosTokenId;
  return {
    architecture,
    hiddenSize,
    numLayers: fields.required('num_hidden_layers', positiveInt),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: fields.required('intermediate_size', positiveInt),
    vocabSize: fields.required('vocab_size', positiveInt),
    rmsNormEps: fields.withDefault('rms_norm_eps', positiveNumber, DEFAULT_RMS_NORM_EPS),
    ...parseRope(fields, maxPositionEmbeddings),
    maxPositionEmbeddings,
    tieWordEmbeddings: fields.withDefault('tie_word_embeddings', boolean, false),
    attentionBias: parseAttentionBias(fields, architecture),
    qkNorm: architecture === 'qwen3',
    ...(quantization && { quantization }),
    ...(bosTokenId !== undefined && { bosTokenId }),
    eosTokenIds,
  };
}

function parseArchitecture(fields: ConfigFields): Architecture {
  const names = fields.optional('architectures', stringList);
  if (names !== undefined) {
    const known = names.map((name) => ARCHITECTURES[name]).find((arch) => arch !== undefined);
    if (known === undefined)
      fields.unsupported('architectures', `${JSON.stringify(names)} is not a supported architecture`);
    return known;
  }
  // Some exported configs carry only model_type.
  const modelType = fields.required('model_type', string);
  const known = MODEL_TYPES[modelType];
  if (known === undefined) fields.unsupported('model_type', `model type "${modelType}" is not supported`);
  return known;
}

function defaultHeadDim(fields: ConfigFields, hiddenSize: number, numHeads: number): number {
  if (hiddenSize % numHeads !== 0) {
    fields.fail(
      'head_dim',
      `is required: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numHeads}`,
    );
  }
  return hiddenSize / numHeads;
}

function parseAttentionBias(fields: ConfigFields, architecture: Architecture): boolean {
  // Qwen2 always has q/k/v biases and no o_proj bias; its config has no switch for them.
  if (architecture === 'qwen2') return true;
  // In Qwen3 and Llama, attention_bias also adds an o_proj bias, which ModelConfig cannot describe: refuse
  // rather than silently drop a tensor. No released Qwen3 or Llama checkpoint sets it.
  if (fields.withDefault('attention_bias', boolean, false)) {
    fields.unsupported(
      'attention_bias',
      `attention biases are not supported for ${architecture} (they include an o_proj bias)`,
    );
  }
  if (fields.withDefault('mlp_bias', boolean, false)) fields.unsupported('mlp_bias', 'MLP biases are not supported');
  return false;
}

function parseRope(
  fields: ConfigFields,
  maxPositionEmbeddings: number,
): { ropeTheta: number; ropeScaling?: YarnScaling } {
  // Newer transformers versions save theta and scaling together as `rope_parameters`.
  const parameters = fields.object('rope_parameters');
  const ropeTheta =
    fields.optional('rope_theta', positiveNumber) ??
    parameters?.optional('rope_theta', positiveNumber) ??
    DEFAULT_ROPE_THETA;
  const scaling = fields.object('rope_scaling') ?? parameters;
  if (scaling === undefined) return { ropeTheta };

  const typeKey = scaling.raw('rope_type') !== undefined ? 'rope_type' : 'type';
  const type = scaling.withDefault(typeKey, string, 'default');
  if (type === 'default') return { ropeTheta };
  if (type !== 'yarn') scaling.unsupported(typeKey, `RoPE scaling "${type}" is not supported (only yarn)`);
  for (const key of ['mscale', 'mscale_all_dim']) {
    if (scaling.raw(key) !== undefined) scaling.unsupported(key, 'DeepSeek-style YaRN mscale is not supported');
  }
  const factor = scaling.required('factor', positiveNumber);
  if (factor < 1) scaling.fail('factor', `must be at least 1, not ${factor}`);
  const ropeScaling: YarnScaling = {
    factor,
    // A factor-only config scales the model's own length, as Hugging Face does.
    originalMaxPositionEmbeddings: scaling.withDefault(
      'original_max_position_embeddings',
      positiveInt,
      maxPositionEmbeddings,
    ),
    betaFast: scaling.withDefault('beta_fast', positiveNumber, 32),
    betaSlow: scaling.withDefault('beta_slow', positiveNumber, 1),
  };
  const attentionFactor = scaling.optional('attention_factor', positiveNumber);
  if (attentionFactor !== undefined) ropeScaling.attentionFactor = attentionFactor;
  return { ropeTheta, ropeScaling };
}

function parseQuantization(fields: ConfigFields): Fp8Quantization | undefined {
  const quantization = fields.object('quantization_config');
  if (quantization === undefined) return undefined;
  const method = quantization.required('quant_method', string);
  if (method !== 'fp8')
    quantization.unsupported('quant_method', `"${method}" quantization is not supported (only fp8)`);
  const format = quantization.withDefault('fmt', string, 'e4m3');
  if (format !== 'e4m3') quantization.unsupported('fmt', `FP8 format "${format}" is not supported (only e4m3)`);
  const scheme = quantization.withDefault('activation_scheme', string, 'dynamic');
  if (scheme !== 'dynamic') {
    quantization.unsupported('activation_scheme', `activation scheme "${scheme}" is not supported (only dynamic)`);
  }
  const weightBlockSize = quantization.optional('weight_block_size', positiveIntPair);
  if (weightBlockSize === undefined) {
    return quantization.unsupported(
      'weight_block_size',
      'per-tensor FP8 is not supported: weights must be quantized in blocks',
    );
  }
  return { method: 'fp8', weightBlockSize };
}

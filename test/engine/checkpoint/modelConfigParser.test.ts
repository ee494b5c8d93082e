import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGenerationConfig } from '../../../src/engine/checkpoint/generationConfig';
import { parseModelConfig } from '../../../src/engine/checkpoint/modelConfigParser';
import { assertCheckpointError } from './checkpointFixtures';

/** Qwen3-4B-FP8's config.json, as published. */
const QWEN3_4B_FP8 = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  head_dim: 128,
  hidden_act: 'silu',
  hidden_size: 2560,
  initializer_range: 0.02,
  intermediate_size: 9728,
  max_position_embeddings: 40960,
  max_window_layers: 36,
  model_type: 'qwen3',
  num_attention_heads: 32,
  num_hidden_layers: 36,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-6,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: null,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
  quantization_config: {
    activation_scheme: 'dynamic',
    fmt: 'e4m3',
    quant_method: 'fp8',
    weight_block_size: [128, 128],
  },
};

const parse = (overrides: Record<string, unknown>, generation?: unknown) =>
  parseModelConfig(
    { ...QWEN3_4B_FP8, ...overrides },
    '/models/x/config.json',
    generation === undefined ? undefined : parseGenerationConfig(generation, '/models/x/generation_config.json'),
  );

const badField = (field: string, message?: RegExp) => ({
  kind: 'CheckpointInvalid' as const,
  file: 'config.json',
  field,
  message,
});
const unsupported = (field: string, message?: RegExp) => ({
  kind: 'UnsupportedModel' as const,
  file: 'config.json',
  field,
  message,
});

describe('parseModelConfig', () => {
  it('reads Qwen3-4B-FP8 and merges end-of-sequence ids from generation_config.json', () => {
    const config = parse({}, { eos_token_id: [151645, 151643], temperature: 0.6 });
    assert.deepEqual(config, {
      architecture: 'qwen3',
      hiddenSize: 2560,
      numLayers: 36,
      numHeads: 32,
      numKvHeads: 8,
      headDim: 128,
      intermediateSize: 9728,
      vocabSize: 151936,
      rmsNormEps: 1e-6,
      ropeTheta: 1e6,
      maxPositionEmbeddings: 40960,
      tieWordEmbeddings: true,
      attentionBias: false,
      qkNorm: true,
      quantization: { method: 'fp8', weightBlockSize: [128, 128] },
      bosTokenId: 151643,
      eosTokenIds: [151645, 151643],
    });
  });

  it('reads Qwen2 (q/k/v biases, no q/k norm) and Llama (neither), with Hugging Face defaults', () => {
    const minimal = {
      hidden_size: 64,
      num_attention_heads: 4,
      num_hidden_layers: 1,
      intermediate_size: 128,
      vocab_size: 10,
      max_position_embeddings: 32,
      eos_token_id: 2,
    };
    const qwen2 = parseModelConfig({ architectures: ['Qwen2ForCausalLM'], ...minimal }, 'config.json');
    assert.equal(qwen2.architecture, 'qwen2');
    assert.equal(qwen2.attentionBias, true);
    assert.equal(qwen2.qkNorm, false);
    assert.equal(qwen2.headDim, 16, 'head_dim defaults to hidden / heads');
    assert.equal(qwen2.numKvHeads, 4, 'kv heads default to heads');
    assert.equal(qwen2.ropeTheta, 10000);
    assert.equal(qwen2.rmsNormEps, 1e-6);
    assert.equal(qwen2.tieWordEmbeddings, false);
    assert.equal(qwen2.quantization, undefined);
    const llama = parseModelConfig({ model_type: 'llama', ...minimal, eos_token_id: [2, 3] }, 'config.json');
    assert.equal(llama.architecture, 'llama');
    assert.equal(llama.attentionBias, false);
    assert.equal(llama.qkNorm, false);
    assert.deepEqual(llama.eosTokenIds, [2, 3]);
  });

  it('reads YaRN scaling with defaults, and a factor-only config over the native length', () => {
    const yarn = parse({ rope_scaling: { rope_type: 'yarn', factor: 4.0, original_max_position_embeddings: 32768 } });
    assert.deepEqual(yarn.ropeScaling, { factor: 4, originalMaxPositionEmbeddings: 32768, betaFast: 32, betaSlow: 1 });
    const factorOnly = parse({ rope_scaling: { type: 'yarn', factor: 2, beta_fast: 16, attention_factor: 1.2 } });
    assert.deepEqual(factorOnly.ropeScaling, {
      factor: 2,
      originalMaxPositionEmbeddings: 40960,
      betaFast: 16,
      betaSlow: 1,
      attentionFactor: 1.2,
    });
    assert.equal(parse({ rope_scaling: { rope_type: 'default' } }).ropeScaling, undefined);
    const v5 = parse({ rope_theta: undefined, rope_parameters: { rope_type: 'yarn', rope_theta: 5e6, factor: 4 } });
    assert.equal(v5.ropeTheta, 5e6);
    assert.equal(v5.ropeScaling?.factor, 4);
  });

  it('refuses what it cannot run, naming the field', () => {
    assertCheckpointError(
      () => parse({ architectures: ['MistralForCausalLM'] }),
      unsupported('architectures', /MistralForCausalLM/),
    );
    assertCheckpointError(
      () => parse({ rope_scaling: { rope_type: 'linear', factor: 2 } }),
      unsupported('rope_scaling.rope_type', /"linear"/),
    );
    assertCheckpointError(
      () => parse({ rope_scaling: { type: 'dynamic', factor: 2 } }),
      unsupported('rope_scaling.type'),
    );
    assertCheckpointError(
      () => parse({ quantization_config: { quant_method: 'gptq', bits: 4 } }),
      unsupported('quantization_config.quant_method', /gptq/),
    );
    assertCheckpointError(
      () =>
        parse({
          quantization_config: { quant_method: 'fp8', activation_scheme: 'static', weight_block_size: [128, 128] },
        }),
      unsupported('quantization_config.activation_scheme'),
    );
    assertCheckpointError(
      () => parse({ quantization_config: { quant_method: 'fp8' } }),
      unsupported('quantization_config.weight_block_size'),
    );
    assertCheckpointError(() => parse({ hidden_act: 'gelu' }), unsupported('hidden_act'));
    assertCheckpointError(() => parse({ attention_bias: true }), unsupported('attention_bias', /o_proj/));
    assertCheckpointError(() => parse({ use_sliding_window: true }), unsupported('use_sliding_window'));
  });

  it('refuses malformed configs, naming config.json and the field', () => {
    assertCheckpointError(
      () => parse({ hidden_size: undefined }),
      badField('hidden_size', /is required \(a positive integer\)/),
    );
    assertCheckpointError(
      () => parse({ hidden_size: -1 }),
      badField('hidden_size', /must be a positive integer, not -1/),
    );
    assertCheckpointError(() => parse({ num_hidden_layers: 2.5 }), badField('num_hidden_layers'));
    assertCheckpointError(() => parse({ vocab_size: '151936' }), badField('vocab_size'));
    assertCheckpointError(() => parse({ num_key_value_heads: 5 }), badField('num_key_value_heads', /does not divide/));
    assertCheckpointError(() => parse({ head_dim: 63 }), badField('head_dim', /odd/));
    assertCheckpointError(
      () => parse({ head_dim: undefined, hidden_size: 2500 }),
      badField('head_dim', /not a multiple/),
    );
    assertCheckpointError(() => parse({ eos_token_id: [1, -1] }), badField('eos_token_id'));
    assertCheckpointError(() => parse({ eos_token_id: undefined }), badField('eos_token_id', /end-of-sequence/));
    assertCheckpointError(
      () => parse({ rope_scaling: { rope_type: 'yarn' } }),
      badField('rope_scaling.factor', /required/),
    );
    assertCheckpointError(
      () => parse({ rope_scaling: { rope_type: 'yarn', factor: 0.5 } }),
      badField('rope_scaling.factor', /at least 1/),
    );
    assertCheckpointError(
      () => parse({ quantization_config: { quant_method: 'fp8', weight_block_size: [128] } }),
      badField('quantization_config.weight_block_size'),
    );
    assertCheckpointError(() => parseModelConfig([], '/x/config.json'), {
      kind: 'CheckpointInvalid',
      file: 'config.json',
      message: /not a JSON object/,
    });
  });
});

describe('parseGenerationConfig', () => {
  it('types the sampling fields and keeps the rest raw', () => {
    const raw = {
      do_sample: true,
      temperature: 0.6,
      top_p: 0.95,
      top_k: 20,
      eos_token_id: [151645, 151643],
      pad_token_id: 151643,
    };
    const config = parseGenerationConfig(raw, 'generation_config.json');
    assert.equal(config.doSample, true);
    assert.equal(config.temperature, 0.6);
    assert.equal(config.topP, 0.95);
    assert.equal(config.topK, 20);
    assert.equal(config.minP, undefined);
    assert.deepEqual(config.eosTokenIds, [151645, 151643]);
    assert.equal(config.raw.pad_token_id, 151643);
  });

  it('refuses out-of-range sampling values, naming the field', () => {
    const file = 'generation_config.json';
    assertCheckpointError(() => parseGenerationConfig({ top_p: 1.5 }, file), {
      kind: 'CheckpointInvalid',
      file,
      field: 'top_p',
    });
    assertCheckpointError(() => parseGenerationConfig({ top_k: -1 }, file), {
      kind: 'CheckpointInvalid',
      file,
      field: 'top_k',
    });
    assertCheckpointError(() => parseGenerationConfig({ temperature: 'hot' }, file), {
      kind: 'CheckpointInvalid',
      file,
      field: 'temperature',
    });
  });
});

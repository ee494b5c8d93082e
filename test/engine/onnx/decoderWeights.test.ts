import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  convertDecoderWeights,
  decoderTensorPlan,
  decoderWeightBytes,
  type DecoderTensor,
  type WeightFormat,
} from '../../../src/engine/onnx/decoderWeights';
import { decoderTestConfig, testModel } from './tinyDecoderSource';

function converted(
  architecture: 'qwen3' | 'qwen2',
  format: WeightFormat,
): { tensors: Map<string, DecoderTensor>; read: (name: string) => Float32Array } {
  const { source } = testModel(decoderTestConfig(architecture));
  return {
    tensors: new Map([...convertDecoderWeights(source, format)].map((t) => [t.name, t])),
    read: (name) => source.readFloat32(name),
  };
}

describe('decoderTensorPlan', () => {
  it('stacks q, k, v and gate, up into single projections sized from the config', () => {
    const plan = decoderTensorPlan(decoderTestConfig('qwen3'), 'int8');
    const layer = plan.layers[1];
    assert.deepEqual(
      [layer.qkv.n, layer.qkv.k, layer.gateUp.n, layer.down.k, layer.output.k],
      [512, 256, 1024, 512, 256],
    );
    assert.deepEqual(layer.qkv.sources, [
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.k_proj',
      'model.layers.1.self_attn.v_proj',
    ]);
    assert.equal(layer.qkNorm, 'layer1.qk_norm');
    assert.equal(layer.qkv.rowScale, undefined); // Qwen3 folds the attention scale into q_norm instead
    // Tied int8: lm_head quantizes the embedding, and the embedding lookup reads those same tensors' rows.
    assert.ok('sources' in plan.lmHead && 'quantized' in plan.embedding);
    assert.deepEqual(plan.lmHead.sources, ['model.embed_tokens']);
    assert.equal(plan.embedding.quantized, plan.lmHead);
    // Tied fp32: one float table for both.
    const fp32 = decoderTensorPlan(decoderTestConfig('qwen3'), 'fp32');
    assert.deepEqual([fp32.embedding, fp32.lmHead], [{ table: 'embed_tokens' }, { table: 'embed_tokens' }]);
    // Untied int8: a quantized embedding of its own.
    const untied = decoderTensorPlan(decoderTestConfig('llama'), 'int8');
    assert.ok('quantized' in untied.embedding && untied.embedding.quantized.name === 'embed_tokens');
  });
});

describe('convertDecoderWeights', () => {
  it('fp32: transposes the stacked q/k/v weights and folds 1/sqrt(headDim) into the q rows and bias (Qwen2)', () => {
    const { tensors, read } = converted('qwen2', 'fp32');
    const qkv = tensors.get('layer0.qkv.weight')!;
    assert.deepEqual(qkv.shape, [256, 512]);
    const q = read('model.layers.0.self_attn.q_proj.weight');
    const v = read('model.layers.0.self_attn.v_proj.weight');
    // element [row r][col c] of the stack lands at [c][r]; 1/8 is exact in float32
    assert.equal(qkv.data[7 * 512 + 3], q[3 * 256 + 7] / 8);
    assert.equal(qkv.data[255 * 512 + 511], v[127 * 256 + 255]);
    const bias = tensors.get('layer0.qkv.bias')!.data;
    assert.equal(bias[5], read('model.layers.0.self_attn.q_proj.bias')[5] / 8);
    assert.equal(bias[300], read('model.layers.0.self_attn.k_proj.bias')[300 - 256]);
  });

  it('Qwen3: one [heads + kvHeads][headDim] norm weight, q_norm scaled by 1/sqrt(headDim)', () => {
    const { tensors, read } = converted('qwen3', 'int8');
    const norm = tensors.get('layer1.qk_norm')!;
    assert.deepEqual(norm.shape, [6, 64]);
    assert.equal(norm.data[3 * 64 + 9], read('model.layers.1.self_attn.q_norm.weight')[9] / 8);
    assert.equal(norm.data[5 * 64 + 9], read('model.layers.1.self_attn.k_norm.weight')[9]);
    const qkv = tensors.get('layer1.qkv.weight_q')!;
    assert.deepEqual([qkv.dtype, ...qkv.shape], ['uint8', 512, 8, 32]);
    assert.deepEqual(tensors.get('layer1.qkv.scales')!.shape, [512 * 8]);
  });

  for (const format of ['fp32', 'int8', 'int4'] as const) {
    it(`${format}: decoderWeightBytes equals the bytes converted, and every shape matches its data`, () => {
      for (const architecture of ['qwen3', 'qwen2'] as const) {
        const { tensors } = converted(architecture, format);
        let bytes = 0;
        for (const tensor of tensors.values()) {
          assert.equal(
            tensor.shape.reduce((a, b) => a * b, 1),
            tensor.data.length,
            tensor.name,
          );
          bytes += tensor.data.byteLength;
        }
        assert.equal(decoderWeightBytes(decoderTestConfig(architecture), format), bytes);
      }
    });
  }
});

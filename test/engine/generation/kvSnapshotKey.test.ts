import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kvSnapshotKey, type KvSnapshotKeyParts } from '../../../src/engine/generation/kvSnapshotKey';
import { ConvertedWeightsCache } from '../../../src/engine/model/convertedWeightsCache';
import { decoderTestConfig } from '../onnx/tinyDecoderSource';

const config = decoderTestConfig('qwen3', { maxPositionEmbeddings: 4096 });
const weights = new ConvertedWeightsCache('/unused');
const base: KvSnapshotKeyParts = {
  weightsKey: weights.keyFor('checkpoint-a', 'int8'),
  kvCacheDtype: 'float32',
  config,
  contextLength: 4096,
  engineVersion: '1.0.0',
};

describe('kvSnapshotKey', () => {
  it('is a SHA-256 that stays the same for the same numbers', () => {
    assert.match(kvSnapshotKey(base), /^[0-9a-f]{64}$/);
    assert.equal(kvSnapshotKey({ ...base }), kvSnapshotKey(base));
    // Within the native length RoPE is the same whatever the context: snapshots carry over.
    assert.equal(kvSnapshotKey({ ...base, contextLength: 2048 }), kvSnapshotKey(base));
  });

  it('changes with the weights, their quantization, the KV dtype, the YaRN factor and the engine version', () => {
    const variants: Partial<KvSnapshotKeyParts>[] = [
      { weightsKey: weights.keyFor('checkpoint-a', 'int4') },
      { weightsKey: weights.keyFor('checkpoint-b', 'int8') },
      { kvCacheDtype: 'int8' },
      { contextLength: 8192 },
      { contextLength: 16384 },
      {
        config: {
          ...config,
          ropeScaling: { factor: 8, originalMaxPositionEmbeddings: 4096, betaFast: 32, betaSlow: 1 },
        },
      },
      { config: { ...config, ropeTheta: config.ropeTheta * 2 } },
      { engineVersion: '1.0.1' },
    ];
    const keys = [base, ...variants.map((variant) => ({ ...base, ...variant }))].map(kvSnapshotKey);
    assert.equal(new Set(keys).size, keys.length);
  });
});

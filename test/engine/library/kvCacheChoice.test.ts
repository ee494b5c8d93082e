import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTO_FLOAT32_MAX_CONTEXT, chooseKvCache } from '../../../src/engine/library/kvCacheChoice';

const QWEN3_06B_KV = { numLayers: 28, numKvHeads: 8, headDim: 128 };
// kvBytesPerToken of this geometry, which the budgets below are built from (hardwareFit.test.ts pins both).
/** 2 × 28 × 8 × 128 × 4 bytes = 229,376, × 29/28 for the cache's growth slack. */
const FLOAT32_PER_TOKEN = 237_568;
/** 28 × 8 × (2 × 128 + 3 × 4 bytes) = 60,032, × 29/28. */
const INT8_PER_TOKEN = 62_176;

describe('kvCacheChoice', () => {
  it('auto: float32 up to 4,096 positions when its cache fits the budget', () => {
    assert.equal(AUTO_FLOAT32_MAX_CONTEXT, 4096);
    const exactFit = 4096 * FLOAT32_PER_TOKEN; // 973,078,528 bytes
    assert.equal(chooseKvCache('auto', QWEN3_06B_KV, 4096, exactFit), 'float32');
    assert.equal(chooseKvCache('auto', QWEN3_06B_KV, 512, 512 * FLOAT32_PER_TOKEN), 'float32');
    assert.equal(chooseKvCache('auto', QWEN3_06B_KV, 1, FLOAT32_PER_TOKEN), 'float32');
  });

  it('auto: int8 above 4,096 positions, however much memory there is', () => {
    assert.equal(chooseKvCache('auto', QWEN3_06B_KV, 4097, 1024 ** 4), 'int8');
    assert.equal(chooseKvCache('auto', QWEN3_06B_KV, 8192, 1024 ** 4), 'int8');
  });

  it('auto: int8 when float32 would not fit, and when neither does', () => {
    assert.equal(chooseKvCache('auto', QWEN3_06B_KV, 4096, 4096 * FLOAT32_PER_TOKEN - 1), 'int8');
    assert.equal(chooseKvCache('auto', QWEN3_06B_KV, 2048, 2048 * INT8_PER_TOKEN), 'int8');
    assert.equal(chooseKvCache('auto', QWEN3_06B_KV, 2048, 0), 'int8');
  });

  it('keeps an explicit choice whatever the context and memory', () => {
    assert.equal(chooseKvCache('float32', QWEN3_06B_KV, 32_768, 0), 'float32');
    assert.equal(chooseKvCache('int8', QWEN3_06B_KV, 16, 1024 ** 4), 'int8');
  });
});

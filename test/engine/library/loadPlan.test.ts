import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SYNTHETIC_GEOMETRIES, syntheticConfigJson } from '../../../src/engine/synthetic/syntheticConfig';
import { parseModelConfig } from '../../../src/engine/checkpoint/modelConfigParser';
import { optionalKvBudget, planLoad, type LoadPlanRequest } from '../../../src/engine/library/loadPlan';

const GIB = 1024 ** 3;
/** Qwen3-0.6B: 28 layers × 8 KV heads × 128; int8 weights 671,059,968 bytes. */
const config = (maxPositionEmbeddings = 40_960) =>
  parseModelConfig(
    syntheticConfigJson({ ...SYNTHETIC_GEOMETRIES['0.6b'], maxPositionEmbeddings }, 'qwen3', 'fp8', true),
    'config.json',
  );
const memory = (freeGib: number) => ({ freeBytes: freeGib * GIB, totalBytes: 16 * GIB });
const plan = (freeGib: number, request: Partial<LoadPlanRequest>, native?: number) => {
  const { contextLength, kvCache, kvBudgetBytes } = planLoad(config(native), memory(freeGib), {
    quantization: 'int8',
    kvCache: 'auto',
    ...request,
  }).plan;
  return { contextLength, kvCache, kvBudgetBytes };
};

describe('planLoad', () => {
  it('without a context: the 8-bit default context in 12 GiB, budget 80% of free less the weights', () => {
    const { plan, fit } = planLoad(config(), memory(12), { quantization: 'int8', kvCache: 'auto' });
    // 0.8 × 12 GiB − 671,059,968 = 9,636,861,542.4, in whole bytes.
    assert.deepEqual(plan, {
      contextLength: 32_768,
      kvCache: 'int8',
      kvBudgetBytes: 9_636_861_542,
      memory: memory(12),
    });
    const { verdict, largestContext, defaultContext, weightBytes, bytesPerToken, kvCache } = fit;
    // int8 cache: 28 × 8 × 268 bytes × 29/28 = 62,176 per position.
    assert.deepEqual(
      { verdict, largestContext, defaultContext, weightBytes, bytesPerToken, kvCache },
      {
        verdict: 'fits',
        largestContext: 40_960,
        defaultContext: 32_768,
        weightBytes: 671_059_968,
        bytesPerToken: 62_176,
        kvCache: 'int8',
      },
    );
  });

  it('keeps float32 where auto sizes at most 4,096 positions, and where it was asked for', () => {
    assert.deepEqual(plan(12, {}, 4096).kvCache, 'float32');
    assert.deepEqual(plan(12, { kvCache: 'float32' }), {
      contextLength: 32_768,
      kvCache: 'float32',
      kvBudgetBytes: 9_636_861_542,
    });
  });

  it('asks for the smallest useful context when none fits, or the native length when that is shorter', () => {
    // 0.8 × 1 GiB − 671,059,968 = 187,933,491.2: not 4,096 positions of either cache beside the runtime's GiB.
    assert.deepEqual(plan(1, {}), { contextLength: 4096, kvCache: 'int8', kvBudgetBytes: 187_933_491 });
    assert.deepEqual(plan(1, { kvCache: 'float32' }, 2048).contextLength, 2048);
  });

  it('with a context: auto takes float32 up to 4,096 positions when it fits beside the runtime reserve', () => {
    assert.deepEqual(plan(12, { contextLength: 4096 }).kvCache, 'float32');
    assert.deepEqual(plan(12, { contextLength: 8192 }).kvCache, 'int8');
    // 3 GiB: 4,096 × 237,568 = 973,078,528 fits the decoder's 1,905,920,409.6 but not that less 1 GiB.
    assert.deepEqual(plan(3, { contextLength: 4096 }), {
      contextLength: 4096,
      kvCache: 'int8',
      kvBudgetBytes: 1_905_920_409,
    });
    assert.deepEqual(plan(3, { contextLength: 4096, kvCache: 'float32' }).kvCache, 'float32');
  });

  it('a budget given overrides the memory, for the choice and the check alike', () => {
    assert.deepEqual(plan(12, { contextLength: 4096, kvBudgetBytes: 973_078_528 }), {
      contextLength: 4096,
      kvCache: 'float32',
      kvBudgetBytes: 973_078_528,
    });
    assert.deepEqual(plan(12, { contextLength: 4096, kvBudgetBytes: 973_078_527 }).kvCache, 'int8');
  });

  it('leaves the optional caches the budget less the runtime reserve, or a smaller budget given', () => {
    const load = (freeGib: number, request: Partial<LoadPlanRequest>) =>
      planLoad(config(), memory(freeGib), { quantization: 'int8', kvCache: 'auto', ...request }).plan;
    // 0.8 × 3 GiB − 671,059,968 = 1,905,920,409.6; less 1 GiB: 832,178,585.6, in whole bytes.
    assert.equal(optionalKvBudget(load(3, { contextLength: 4096 }), 671_059_968), 832_178_585);
    assert.equal(optionalKvBudget(load(3, { contextLength: 4096, kvBudgetBytes: 5e8 }), 671_059_968), 5e8);
    assert.equal(optionalKvBudget(load(1, { contextLength: 4096 }), 671_059_968), 0);
  });
});

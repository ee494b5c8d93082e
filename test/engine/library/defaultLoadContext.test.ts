import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SYNTHETIC_GEOMETRIES, syntheticConfigJson } from '../../../src/engine/synthetic/syntheticConfig';
import { parseModelConfig } from '../../../src/engine/checkpoint/modelConfigParser';
import { defaultLoadContext } from '../../../src/engine/library/defaultLoadContext';
import { checkpointFit } from '../../../src/engine/library/modelFit';

const GIB = 1024 ** 3;
const config = (maxPositionEmbeddings = 40_960) =>
  parseModelConfig(
    syntheticConfigJson({ ...SYNTHETIC_GEOMETRIES['0.6b'], maxPositionEmbeddings }, 'qwen3', 'fp8', true),
    'config.json',
  );
const loadFor = (freeGib: number, kvCache: 'auto' | 'float32' | 'int8', native?: number) => {
  const model = config(native);
  return defaultLoadContext({
    config: model,
    fit: checkpointFit(model, { freeBytes: freeGib * GIB, totalBytes: 16 * GIB }, 'int8', kvCache),
  });
};

describe('defaultLoadContext', () => {
  it('auto: the default context of the 8-bit cache, with that cache, not auto again', () => {
    assert.deepEqual(loadFor(12, 'auto'), { contextLength: 32_768, kvCache: 'int8' });
  });

  it('keeps float32 where auto sizes a context of at most 4,096 positions, and where it was asked for', () => {
    assert.deepEqual(loadFor(12, 'auto', 4096), { contextLength: 4096, kvCache: 'float32' });
    assert.deepEqual(loadFor(12, 'float32'), { contextLength: 32_768, kvCache: 'float32' });
  });

  it('asks for the smallest useful context when none fits, or the native length when that is shorter', () => {
    assert.deepEqual(loadFor(1, 'auto'), { contextLength: 4096, kvCache: 'int8' });
    assert.deepEqual(loadFor(1, 'float32', 2048), { contextLength: 2048, kvCache: 'float32' });
  });
});

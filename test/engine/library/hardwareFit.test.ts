import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SYNTHETIC_GEOMETRIES, syntheticConfigJson } from '../../../src/engine/synthetic/syntheticConfig';
import { parseModelConfig } from '../../../src/engine/checkpoint/modelConfigParser';
import { findCatalogueModel, MODEL_CATALOGUE } from '../../../src/engine/library/modelCatalogue';
import { estimatedWeightBytes, freeMemoryNeeded, hardwareFit } from '../../../src/engine/library/hardwareFit';
import { catalogueModelFit, checkpointFit } from '../../../src/engine/library/modelFit';
import { decoderWeightBytes } from '../../../src/engine/onnx/decoderWeights';
import { kvCacheBytes } from '../../../src/engine/onnx/kvCache';

const GIB = 1024 ** 3;
const QWEN3_4B_KV = { numLayers: 36, numKvHeads: 8, headDim: 128 };
/** 4.02e9 parameters × 1.125 bytes (int8 codes + an fp32 scale per 32). */
const QWEN3_4B_INT8 = 4_522_500_000;
/** 2 × 36 × 8 × 128 × 4 bytes = 288 KiB, × 37/36 for the cache's growth slack. */
const QWEN3_4B_BYTES_PER_TOKEN = 303_104;
/** 36 × 8 × (2 × 128 levels + 3 float scales = 268 bytes) = 77,184, × 37/36. */
const QWEN3_4B_INT8_BYTES_PER_TOKEN = 79_328;

describe('hardwareFit', () => {
  it('estimates converted weights at 1.125 bytes per parameter for int8 and 0.625 for int4', () => {
    assert.equal(estimatedWeightBytes(4.02e9, 'int8'), QWEN3_4B_INT8);
    assert.equal(estimatedWeightBytes(4.02e9, 'int4'), 2_512_500_000);
    assert.equal(estimatedWeightBytes(0.6e9, 'fp32'), 2_400_000_000);
  });

  it('agrees with the converter within 0.5% on the Qwen3-4B shapes', () => {
    const config = parseModelConfig(
      syntheticConfigJson(SYNTHETIC_GEOMETRIES['4b'], 'qwen3', 'fp8', true),
      'config.json',
    );
    const exact = decoderWeightBytes(config, 'int8');
    assert.ok(Math.abs(exact / QWEN3_4B_INT8 - 1) < 0.005, `${exact} vs ${QWEN3_4B_INT8}`);
  });

  it('fits Qwen3-4B int8 in 32 GiB free: 72,224 tokens, default 32,768', () => {
    const fit = hardwareFit({
      memory: { freeBytes: 32 * GIB, totalBytes: 64 * GIB },
      weightBytes: QWEN3_4B_INT8,
      kv: QWEN3_4B_KV,
      nativeContext: 262_144,
      kvCache: 'float32',
    });
    // (0.8 × 32 GiB − 4.5225e9 − 1 GiB) / 303,104 = 72,224.3
    assert.deepEqual(
      {
        verdict: fit.verdict,
        largestContext: fit.largestContext,
        defaultContext: fit.defaultContext,
        bytesPerToken: fit.bytesPerToken,
      },
      { verdict: 'fits', largestContext: 72_224, defaultContext: 32_768, bytesPerToken: QWEN3_4B_BYTES_PER_TOKEN },
    );
    assert.equal(
      fit.message,
      'Fits: 4.2 GiB of weights and up to 72,224 tokens of context in 32.0 GiB free memory; default context 32,768 tokens.',
    );
  });

  it('calls 16 GiB free tight for Qwen3-4B: 26,880 tokens fit, default rounds down to 16,384', () => {
    const fit = hardwareFit({
      memory: { freeBytes: 16 * GIB, totalBytes: 16 * GIB },
      weightBytes: QWEN3_4B_INT8,
      kv: QWEN3_4B_KV,
      nativeContext: 262_144,
      kvCache: 'float32',
    });
    assert.deepEqual([fit.verdict, fit.largestContext, fit.defaultContext], ['tight', 26_880, 16_384]);
    assert.equal(
      fit.message,
      'Tight: beside 4.2 GiB of weights, only 26,880 tokens of context fit in 16.0 GiB free memory; default context 16,384 tokens. Close other programs for more. An 8-bit KV cache would fit up to 102,708 tokens.',
    );
  });

  it('never goes past the context the model can reach', () => {
    const fit = hardwareFit({
      memory: { freeBytes: 256 * GIB, totalBytes: 256 * GIB },
      weightBytes: QWEN3_4B_INT8,
      kv: QWEN3_4B_KV,
      nativeContext: 40_960,
      kvCache: 'float32',
    });
    assert.deepEqual([fit.verdict, fit.largestContext, fit.defaultContext], ['fits', 40_960, 32_768]);
    const stretched = hardwareFit({
      memory: { freeBytes: 256 * GIB, totalBytes: 256 * GIB },
      weightBytes: QWEN3_4B_INT8,
      kv: QWEN3_4B_KV,
      nativeContext: 40_960,
      maxContext: 131_072,
      kvCache: 'float32',
    });
    assert.equal(stretched.largestContext, 131_072);
  });

  it('says when a model does not fit, and whether closing programs would help', () => {
    const needed = freeMemoryNeeded(QWEN3_4B_INT8, QWEN3_4B_BYTES_PER_TOKEN, 4096);
    assert.equal(Math.round(needed), 8_547_194_760); // (4.5225e9 + 1 GiB + 4,096 × 303,104) / 0.8
    const busy = hardwareFit({
      memory: { freeBytes: 6 * GIB, totalBytes: 8 * GIB },
      weightBytes: QWEN3_4B_INT8,
      kv: QWEN3_4B_KV,
      nativeContext: 262_144,
      kvCache: 'float32',
    });
    assert.deepEqual([busy.verdict, busy.largestContext, busy.defaultContext], ['does-not-fit', 0, 0]);
    assert.equal(
      busy.message,
      'Does not fit: 4.2 GiB of weights and a 4,096-token context need 8.0 GiB free memory; 6.0 GiB is free. Close other programs to free memory, or choose a smaller model or int4 weights.',
    );
    const small = hardwareFit({
      memory: { freeBytes: 3 * GIB, totalBytes: 4 * GIB },
      weightBytes: QWEN3_4B_INT8,
      kv: QWEN3_4B_KV,
      nativeContext: 262_144,
      kvCache: 'float32',
    });
    assert.match(
      small.message,
      /This machine has too little memory for it: choose a smaller model \(Qwen\/Qwen3-0\.6B-FP8\) or int4 weights\.$/,
    );
  });

  it('fits the catalogue: only Qwen3-0.6B in 4 GiB free, and it with 32K context in 12 GiB', () => {
    const memory = { freeBytes: 4 * GIB, totalBytes: 8 * GIB };
    const verdicts = MODEL_CATALOGUE.map((model) => [
      model.repo,
      catalogueModelFit(model, memory, 'int8', 'float32').verdict,
    ]);
    assert.deepEqual(verdicts, [
      ['Qwen/Qwen3-4B-Instruct-2507-FP8', 'does-not-fit'],
      ['Qwen/Qwen3-4B-Thinking-2507-FP8', 'does-not-fit'],
      ['Qwen/Qwen3-4B-FP8', 'does-not-fit'],
      ['Qwen/Qwen3-0.6B-FP8', 'tight'],
    ]);
    // (0.8 × 12 GiB − 0.675e9 − 1 GiB) / (2 × 28 × 8 × 128 × 4 × 29/28 = 237,568) = 36,028.8
    const small = catalogueModelFit(
      findCatalogueModel('qwen/qwen3-0.6b-fp8')!,
      { freeBytes: 12 * GIB, totalBytes: 16 * GIB },
      'int8',
      'float32',
    );
    assert.deepEqual(
      [small.verdict, small.largestContext, small.defaultContext, small.bytesPerToken],
      ['fits', 36_028, 32_768, 237_568],
    );
  });

  it('reads the fit of a checkpoint from its config', () => {
    const config = parseModelConfig(
      syntheticConfigJson(SYNTHETIC_GEOMETRIES['4b'], 'qwen3', 'fp8', true),
      'config.json',
    );
    const fit = checkpointFit(config, { freeBytes: 256 * GIB, totalBytes: 256 * GIB }, 'int8', 'float32');
    assert.deepEqual(
      [fit.verdict, fit.largestContext, fit.defaultContext, fit.weightBytes],
      ['fits', 40_960, 32_768, decoderWeightBytes(config, 'int8')],
    );
  });
});

describe('hardwareFit with the 8-bit KV cache', () => {
  const fitOf = (freeGib: number, totalGib: number, kvCache: 'auto' | 'float32' | 'int8', nativeContext = 262_144) =>
    hardwareFit({
      memory: { freeBytes: freeGib * GIB, totalBytes: totalGib * GIB },
      weightBytes: QWEN3_4B_INT8,
      kv: QWEN3_4B_KV,
      nativeContext,
      kvCache,
    });

  it('counts int8 bytes per token: kvCacheBytes(…, int8) with the growth slack', () => {
    assert.equal(kvCacheBytes(QWEN3_4B_KV, 1, 'int8'), 77_184);
    const fit = fitOf(16, 16, 'int8');
    // (0.8 × 16 GiB − 4.5225e9 − 1 GiB) / 79,328 = 102,708.9: 3.8× float32's 26,880
    assert.deepEqual(
      [fit.kvCache, fit.verdict, fit.largestContext, fit.defaultContext, fit.bytesPerToken],
      ['int8', 'fits', 102_708, 32_768, QWEN3_4B_INT8_BYTES_PER_TOKEN],
    );
    assert.equal(
      fit.message,
      'Fits: 4.2 GiB of weights and up to 102,708 tokens of context (8-bit KV cache) in 16.0 GiB free memory; default context 32,768 tokens.',
    );
  });

  it('auto sizes the default context for int8, the cache it then picks above 4,096 positions', () => {
    assert.deepEqual(fitOf(16, 16, 'auto'), fitOf(16, 16, 'int8'));
    const fit = fitOf(32, 64, 'auto');
    assert.deepEqual(
      [fit.kvCache, fit.largestContext, fit.defaultContext, fit.bytesPerToken],
      ['int8', 262_144, 32_768, QWEN3_4B_INT8_BYTES_PER_TOKEN],
    );
    // 8 GiB free: float32 fits 4,208 tokens (default 4,096); int8 16,081 (default 8,192, so auto takes int8).
    assert.deepEqual([fitOf(8, 8, 'float32').largestContext, fitOf(8, 8, 'float32').defaultContext], [4_208, 4_096]);
    assert.deepEqual(
      [fitOf(8, 8, 'auto').kvCache, fitOf(8, 8, 'auto').largestContext, fitOf(8, 8, 'auto').defaultContext],
      ['int8', 16_081, 8_192],
    );
  });

  it('auto keeps float32 when the default context is 4,096 positions and float32 fits it', () => {
    const fit = fitOf(32, 64, 'auto', 4096);
    assert.deepEqual(
      [fit.kvCache, fit.verdict, fit.largestContext, fit.defaultContext, fit.bytesPerToken],
      ['float32', 'fits', 4_096, 4_096, QWEN3_4B_BYTES_PER_TOKEN],
    );
  });

  it('auto takes int8 when neither fits: the need it reports is the smaller one', () => {
    const fit = fitOf(6, 8, 'auto');
    assert.deepEqual(
      [fit.kvCache, fit.verdict, fit.largestContext, fit.defaultContext],
      ['int8', 'does-not-fit', 0, 0],
    );
    assert.equal(
      fit.message,
      'Does not fit: 4.2 GiB of weights and a 4,096-token context (8-bit KV cache) need 6.9 GiB free memory; 6.0 GiB is free. Close other programs to free memory, or choose a smaller model or int4 weights.',
    );
  });

  it('names the 8-bit cache as the way out when float32 was asked for and int8 fits', () => {
    const fit = fitOf(7.5, 8, 'float32');
    assert.deepEqual([fit.kvCache, fit.verdict, fit.largestContext], ['float32', 'does-not-fit', 2_791]);
    assert.equal(
      fit.message,
      'Does not fit: 4.2 GiB of weights and a 4,096-token context need 8.0 GiB free memory; 7.5 GiB is free. An 8-bit KV cache would fit up to 10,667 tokens.',
    );
    assert.equal(
      fitOf(8, 8, 'float32').message,
      'Tight: beside 4.2 GiB of weights, only 4,208 tokens of context fit in 8.0 GiB free memory; default context 4,096 tokens. Close other programs for more. An 8-bit KV cache would fit up to 16,081 tokens.',
    );
  });

  it('fits the catalogue with auto: Qwen3-0.6B gets int8 and its whole native context in 12 GiB', () => {
    // (0.8 × 12 GiB − 0.675e9 − 1 GiB) / (28 × 8 × 268 × 29/28 = 62,176) = 137,660: capped at 40,960
    const small = catalogueModelFit(
      findCatalogueModel('qwen/qwen3-0.6b-fp8')!,
      { freeBytes: 12 * GIB, totalBytes: 16 * GIB },
      'int8',
      'auto',
    );
    assert.deepEqual(
      [small.kvCache, small.verdict, small.largestContext, small.defaultContext, small.bytesPerToken],
      ['int8', 'fits', 40_960, 32_768, 62_176],
    );
  });
});

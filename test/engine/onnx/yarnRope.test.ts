import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { ropeCosSinTables, ropeParameters, yarnScalingFor, type RopeConfig } from '../../../src/engine/onnx/yarnRope';

const yarn4 = { factor: 4, originalMaxPositionEmbeddings: 32768, betaFast: 32, betaSlow: 1 };
/** Qwen3-4B with the model card's YaRN setting. */
const qwen3With4xYarn: RopeConfig = { headDim: 128, ropeTheta: 1e6, maxPositionEmbeddings: 40960, ropeScaling: yarn4 };

/** The docs/architecture.md formula written out once more, independently, in float64. */
function formulaInvFreq(d: number, base: number, l0: number, s: number): { inv: number[]; low: number; high: number } {
  const cd = (r: number) => (d * Math.log(l0 / (2 * Math.PI * r))) / (2 * Math.log(base));
  const low = Math.max(Math.floor(cd(32)), 0);
  const high = Math.min(Math.ceil(cd(1)), d - 1);
  const inv = Array.from({ length: d / 2 }, (_, i) => {
    const ramp = Math.min(Math.max((i - low) / (high === low ? 0.001 : high - low), 0), 1);
    const theta = Math.pow(base, (2 * i) / d);
    return (1 / (s * theta)) * ramp + (1 / theta) * (1 - ramp);
  });
  return { inv, low, high };
}

describe('ropeParameters', () => {
  it('gives Qwen3-4B with YaRN factor 4 low 23, high 40 and attention factor 1.1386', () => {
    const params = ropeParameters(qwen3With4xYarn, 131072);
    assert.deepEqual(params.yarn, { factor: 4, originalMaxPositionEmbeddings: 32768, low: 23, high: 40 });
    assert.equal(params.attentionScale.toFixed(4), '1.1386');
    assert.equal(params.invFreq.length, 64);
  });

  it('matches inverse frequencies computed with numpy from the Hugging Face formula', () => {
    // numpy float64: base ** (arange(0, d, 2) / d), linear ramp between low and high, blended.
    const numpy: Record<number, number> = {
      0: 1,
      1: 0.8058421877614819,
      23: 0.006978305848598663,
      24: 0.005375321490790102,
      30: 0.0010643609812470017,
      40: 4.445698525097307e-5,
      63: 3.102344401879299e-7,
    };
    const { invFreq } = ropeParameters(qwen3With4xYarn, 131072);
    for (const [i, expected] of Object.entries(numpy)) {
      assert.ok(
        Math.abs(invFreq[Number(i)] - expected) <= 1e-15 * expected,
        `inv_${i}: ${invFreq[Number(i)]} vs ${expected}`,
      );
    }
  });

  it('is plain RoPE with attention scale 1 when no scaling applies', () => {
    const params = ropeParameters({ headDim: 128, ropeTheta: 5e6, maxPositionEmbeddings: 262144 }, 262144);
    assert.equal(params.yarn, undefined);
    assert.equal(params.attentionScale, 1);
    params.invFreq.forEach((value, i) => assert.equal(value, 1 / Math.pow(5e6, (2 * i) / 128)));
  });

  it('honours an attention factor given by the config', () => {
    const params = ropeParameters({ ...qwen3With4xYarn, ropeScaling: { ...yarn4, attentionFactor: 1.5 } }, 1000);
    assert.equal(params.attentionScale, 1.5);
  });

  it('rejects an odd head dimension as an unsupported model', () => {
    assert.throws(
      () => ropeParameters({ headDim: 7, ropeTheta: 1e4, maxPositionEmbeddings: 4096 }, 10),
      (error: unknown) => error instanceof EngineError && error.code === EngineErrorCode.UnsupportedModel,
    );
  });
});

describe('yarnScalingFor', () => {
  const native40k: RopeConfig = { headDim: 128, ropeTheta: 1e6, maxPositionEmbeddings: 40960 };

  it('uses the checkpoint rope_scaling whenever it is present', () => {
    assert.equal(yarnScalingFor(qwen3With4xYarn, 4096), yarn4);
  });

  it('needs no scaling while the context fits the native length', () => {
    assert.equal(yarnScalingFor(native40k, 40960), undefined);
  });

  it('picks the smallest power-of-two factor over max_position_embeddings that covers the context', () => {
    const cases: [number, number][] = [
      [40961, 2],
      [81920, 2],
      [81921, 4],
      [131072, 4],
      [262144, 8],
    ];
    for (const [context, factor] of cases) {
      assert.deepEqual(yarnScalingFor(native40k, context), {
        factor,
        originalMaxPositionEmbeddings: 40960,
        betaFast: 32,
        betaSlow: 1,
      });
    }
    const params = ropeParameters(native40k, 131072);
    const expected = formulaInvFreq(128, 1e6, 40960, 4);
    assert.deepEqual([params.yarn?.low, params.yarn?.high], [expected.low, expected.high]);
    params.invFreq.forEach((value, i) => assert.ok(Math.abs(value - expected.inv[i]) <= 1e-15 * expected.inv[i]));
  });

  it('refuses a context beyond what the checkpoint rope_scaling covers', () => {
    assert.throws(
      () => yarnScalingFor(qwen3With4xYarn, 131073),
      (error: unknown) =>
        error instanceof EngineError &&
        error.code === EngineErrorCode.LoadContextTooLarge &&
        /131072/.test(error.hint ?? ''),
    );
  });

  it('rejects a context length that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => yarnScalingFor(native40k, bad),
        (error: unknown) => error instanceof EngineError && error.code === EngineErrorCode.InvalidParams,
      );
    }
  });
});

describe('ropeCosSinTables', () => {
  it('matches a float64 evaluation of the formula for Qwen3-4B within 2e-6 up to position 262,143', () => {
    const length = 262144;
    const params = ropeParameters(qwen3With4xYarn, 131072);
    const { cos, sin } = ropeCosSinTables(params, length);
    assert.equal(cos.length, length * 64);

    const { inv } = formulaInvFreq(128, 1e6, 32768, 4);
    const mscale = 0.1 * Math.log(4) + 1;
    let maxError = 0;
    for (const pos of [0, 1, 4095, 32767, 131071, 262143]) {
      for (let i = 0; i < 64; i++) {
        maxError = Math.max(maxError, Math.abs(cos[pos * 64 + i] - Math.cos(pos * inv[i]) * mscale));
        maxError = Math.max(maxError, Math.abs(sin[pos * 64 + i] - Math.sin(pos * inv[i]) * mscale));
      }
    }
    assert.ok(maxError <= 2e-6, `max abs error ${maxError}`);
    // In fact it is float32 rounding only: half an ulp of values in [1, 2) is 2^-24 ≈ 6.0e-8.
    assert.ok(maxError <= 2 ** -24 + 1e-12, `max abs error ${maxError}`);
  });

  it('agrees with numpy at a few positions of Qwen3-4B factor 4', () => {
    const { cos, sin } = ropeCosSinTables(ropeParameters(qwen3With4xYarn, 131072), 4096);
    // numpy: cos/sin(4095·inv_i)·(0.1·ln 4 + 1)
    const expected: [number, number, number][] = [
      [0, -0.07512221175783597, -1.1361486021121168],
      [30, -0.39452803572550854, -1.0680939199374173],
      [63, 1.1386285172713768, 0.0014465258699142415],
    ];
    for (const [i, c, s] of expected) {
      assert.ok(Math.abs(cos[4095 * 64 + i] - c) < 1e-7 && Math.abs(sin[4095 * 64 + i] - s) < 1e-7, `frequency ${i}`);
    }
    assert.equal(cos[0], Math.fround(0.1 * Math.log(4) + 1));
    assert.equal(sin[63], 0);
  });
});

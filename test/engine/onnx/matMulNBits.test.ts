import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  dequantizeMatMulNBits,
  matMulNBitsLayout,
  quantizeForMatMulNBits,
  type MatMulNBitsBits,
  type MatMulNBitsWeight,
} from '../../../src/engine/onnx/matMulNBits';
import { dequantizeBlockFp8, quantizeFp8BlockRow } from '../../../src/engine/checkpoint/blockFp8';
import { randomNormal } from '../reference/tinyModel';
import { matMulNBitsModel } from './matMulNBitsModel';

const FP8_BLOCK = 128;

/** W as an FP8 checkpoint with 128×128 float32 scales reproduces it: the converter's input. */
function fp8Rounded(weight: Float32Array, rows: number, cols: number): Float32Array {
  const codes = new Uint8Array(weight.length);
  const scaleInv: number[] = [];
  for (let r = 0; r < rows; r += FP8_BLOCK) {
    const blockRow = quantizeFp8BlockRow(
      weight.subarray(r * cols, Math.min(r + FP8_BLOCK, rows) * cols),
      cols,
      FP8_BLOCK,
      Math.fround,
    );
    codes.set(blockRow.codes, r * cols);
    scaleInv.push(...blockRow.scaleInv);
  }
  return dequantizeBlockFp8(codes, rows, cols, Float32Array.from(scaleInv), [FP8_BLOCK, FP8_BLOCK]);
}

/** Y = A·Wᵀ in float64, plus Σ|a·w| per output (the scale of float32 accumulation error). */
function referenceMatMul(
  a: Float32Array,
  m: number,
  w: Float32Array,
  n: number,
  k: number,
): { y: Float64Array; magnitude: Float64Array } {
  const y = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let abs = 0;
      for (let t = 0; t < k; t++) {
        const p = a[i * k + t] * w[j * k + t];
        sum += p;
        abs += Math.abs(p);
      }
      y[i * n + j] = sum;
      magnitude[i * n + j] = abs;
    }
  }
  return { y, magnitude };
}

async function runMatMulNBits(
  weight: MatMulNBitsWeight,
  a: Float32Array,
  m: number,
  accuracyLevel: number,
  flatScales = false,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(matMulNBitsModel(weight, { accuracyLevel, flatScales }), {
    intraOpNumThreads: 1,
  });
  try {
    const { Y } = await session.run({ A: new ort.Tensor('float32', a, [m, weight.k]) });
    assert.deepEqual(Y.dims, [m, weight.n]);
    return Y.data as Float32Array;
  } finally {
    await session.release();
  }
}

function relativeRmsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let error = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    error += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return Math.sqrt(error / norm);
}

describe('quantizeForMatMulNBits', () => {
  it('maps the largest magnitude to level 0 and zero to the implied zero point, low nibble first', () => {
    const block = new Float32Array(32);
    block[0] = 0.8; // the extreme: scale = −0.8/8 = −0.1
    block[1] = -0.75; // beyond 7 steps on the other side: 7.5 + 8 rounds to 16, clamps to 15
    block[2] = 0.25; // −2.5 + 8 = 5.5 rounds away from zero, like C's roundf
    block[3] = -0.3; // 3 + 8 = 11
    const int4 = quantizeForMatMulNBits(block, 1, 32, 4);
    assert.equal(int4.scales[0], Math.fround(-0.1));
    assert.deepEqual([...int4.data.subarray(0, 3)], [0 | (15 << 4), 6 | (11 << 4), 8 | (8 << 4)]);
    assert.equal(int4.data.length, 16);

    const int8 = quantizeForMatMulNBits(block, 1, 32, 8);
    assert.equal(int8.scales[0], Math.fround(-0.8 / 128));
    assert.deepEqual([...int8.data.subarray(0, 5)], [0, 248, 88, 176, 128]);
  });

  it('gives a tie of magnitudes to the negative value, as onnxruntime does', () => {
    const block = new Float32Array(32);
    block[3] = 0.5;
    block[7] = -0.5;
    const weight = quantizeForMatMulNBits(block, 1, 32, 4);
    assert.equal(weight.scales[0], 0.0625);
    assert.equal(weight.data[1] >> 4, 15);
    assert.equal(weight.data[3] >> 4, 0);
  });

  it('pads a K that is not a multiple of the block with the zero point', () => {
    const weight = quantizeForMatMulNBits(new Float32Array(40).fill(-1), 1, 40, 4);
    assert.deepEqual(matMulNBitsLayout(1, 40, 4, 32), {
      blocksPerRow: 2,
      blockBytes: 16,
      dataShape: [1, 2, 16],
      scalesShape: [1, 2],
    });
    assert.deepEqual([...weight.scales], [0.125, 0.125]);
    assert.deepEqual([...weight.data.subarray(16, 20)], [0, 0, 0, 0]);
    assert.deepEqual([...weight.data.subarray(20)], new Array(12).fill(0x88));
  });

  it('quantizes an all-zero block to the zero point with scale 0', () => {
    const weight = quantizeForMatMulNBits(new Float32Array(32), 1, 32, 8);
    assert.equal(Math.abs(weight.scales[0]), 0);
    assert.ok(weight.data.every((level) => level === 128));
    assert.ok(dequantizeMatMulNBits(weight).every((v) => v === 0));
  });

  it('rejects block sizes onnxruntime does not accept', () => {
    for (const blockSize of [8, 48])
      assert.throws(() => quantizeForMatMulNBits(new Float32Array(64), 1, 64, 8, blockSize), RangeError);
  });
});

describe('MatMulNBits in onnxruntime', () => {
  const cases: { bits: MatMulNBitsBits; k: number; blockSize: number }[] = [
    { bits: 8, k: 64, blockSize: 32 },
    { bits: 8, k: 80, blockSize: 32 },
    { bits: 4, k: 64, blockSize: 32 },
    { bits: 4, k: 80, blockSize: 32 },
    { bits: 4, k: 200, blockSize: 128 },
  ];
  const m = 3;
  const n = 24;

  for (const { bits, k, blockSize } of cases) {
    it(`computes A·dequant(W)ᵀ for int${bits}, K=${k}, block ${blockSize}`, async () => {
      const w = randomNormal(k * 100 + bits, 'W', n * k, 0.06);
      const a = randomNormal(k * 100 + bits, 'A', m * k, 1);
      const quantized = quantizeForMatMulNBits(w, n, k, bits, blockSize);
      const { y, magnitude } = referenceMatMul(a, m, dequantizeMatMulNBits(quantized), n, k);

      // accuracy_level 0 computes in float32: only accumulation rounding, within 1e-5·Σ|a·w|.
      for (const flatScales of [false, true]) {
        const exact = await runMatMulNBits(quantized, a, m, 0, flatScales);
        exact.forEach((value, i) =>
          assert.ok(Math.abs(value - y[i]) <= 1e-5 * magnitude[i], `Y[${i}] = ${value}, expected ${y[i]}`),
        );
      }
      // accuracy_level 4 (the engine's setting) quantizes A to int8 per block: within 2% relative RMS.
      const fast = await runMatMulNBits(quantized, a, m, 4);
      const error = relativeRmsError(fast, y);
      assert.ok(error < 0.02, `relative RMS error ${error} at accuracy_level 4`);
    });
  }
});

describe('MatMulNBits quantization error (relative RMS vs the weights quantized)', () => {
  const rows = 256;
  const cols = 1024;
  const gaussian = randomNormal(7, 'W', rows * cols, 0.06);
  const fp8 = fp8Rounded(gaussian, rows, cols);
  const measure = (w: Float32Array, bits: MatMulNBitsBits) =>
    relativeRmsError(dequantizeMatMulNBits(quantizeForMatMulNBits(w, rows, cols, bits, 32)), w);

  it('stays within 1% at int8 and 13% at int4, block 32', (t) => {
    const results = {
      fp8VsGaussian: relativeRmsError(fp8, gaussian),
      int8Gaussian: measure(gaussian, 8),
      int4Gaussian: measure(gaussian, 4),
      int8Fp8: measure(fp8, 8),
      int4Fp8: measure(fp8, 4),
    };
    t.diagnostic(
      Object.entries(results)
        .map(([name, value]) => `${name} ${(value * 100).toFixed(3)}%`)
        .join(', '),
    );
    assert.ok(results.int8Gaussian < 0.01 && results.int8Fp8 < 0.01, JSON.stringify(results));
    assert.ok(results.int4Gaussian < 0.13 && results.int4Fp8 < 0.13, JSON.stringify(results));
  });
});

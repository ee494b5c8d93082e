import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dequantizeBlockFp8, findE4M3NaN, quantizeFp8BlockRow } from '../../../src/engine/checkpoint/blockFp8';
import { E4M3_TABLE } from '../../../src/engine/checkpoint/dtypeDecode';

describe('block-wise FP8', () => {
  it('dequantizes with one scale per block, edge blocks partial', () => {
    // [3, 5] weight in 2×2 blocks: scales [2, 3]; every code is 1.0 (0x38), so W equals the scale grid.
    const codes = new Uint8Array(15).fill(0x38);
    const scales = Float32Array.of(1, 2, 3, 4, 5, 6);
    const weight = dequantizeBlockFp8(codes, 3, 5, scales, [2, 2]);
    assert.deepEqual([...weight], [1, 1, 2, 2, 3, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6]);
  });

  it('multiplies the decoded code by its scale', () => {
    const weight = dequantizeBlockFp8(Uint8Array.of(0x7e, 0xb8), 1, 2, Float32Array.of(0.5), [128, 128]);
    assert.deepEqual([...weight], [224, -0.5]);
  });

  it('rejects scale grids that do not fit the weight', () => {
    assert.throws(() => dequantizeBlockFp8(new Uint8Array(4), 2, 2, new Float32Array(2), [2, 2]).length, RangeError);
  });

  it('quantizes a block-row: scale = max|w|/448 as stored, largest weight at code 0x7E', () => {
    // 2 rows × 3 cols in blocks 2 wide: block 0 = cols 0–1, block 1 = col 2.
    const values = Float32Array.of(0.5, -1.75, 3, 0.25, 0.875, -6);
    const { codes, scaleInv } = quantizeFp8BlockRow(values, 3, 2, (s) => s);
    assert.deepEqual([...scaleInv], [1.75 / 448, 6 / 448].map(Math.fround));
    assert.equal(codes[1], 0xfe); // -1.75 is its block's largest magnitude
    assert.equal(codes[5], 0xfe);
    const restored = dequantizeBlockFp8(codes, 2, 3, scaleInv, [2, 2]);
    restored.forEach((value, i) =>
      assert.ok(Math.abs(value - values[i]) <= Math.abs(values[i]) * 2 ** -4 + 1e-7, `element ${i}`),
    );
  });

  it('uses the stored (rounded) scale to compute codes, and scale 1 for an all-zero block', () => {
    const { codes, scaleInv } = quantizeFp8BlockRow(Float32Array.of(0, 0, 448), 3, 2, () => 2);
    assert.deepEqual([...scaleInv], [1, 2]);
    assert.deepEqual(
      [...codes].map((code) => E4M3_TABLE[code]),
      [0, 0, 224],
    );
  });

  it('finds NaN codes', () => {
    assert.equal(findE4M3NaN(Uint8Array.of(0x38, 0x7e, 0xfe)), -1);
    assert.equal(findE4M3NaN(Uint8Array.of(0x38, 0xff, 0x7f)), 1);
  });
});

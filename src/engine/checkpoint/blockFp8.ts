import { E4M3_TABLE } from './dtypeDecode';
import { encodeE4M3 } from './dtypeEncode';

/** Largest finite E4M3FN magnitude: a block's largest weight maps to it. */
export const E4M3_MAX = 448;

/**
 * Dequantizes a block-wise FP8 weight [rows, cols]:
 * W[r][c] = e4m3(codes[r][c]) × scaleInv[⌊r/blockRows⌋][⌊c/blockCols⌋], edge blocks may be partial.
 */
export function dequantizeBlockFp8(
  codes: Uint8Array,
  rows: number,
  cols: number,
  scaleInv: Float32Array,
  [blockRows, blockCols]: readonly [number, number],
): Float32Array {
  const scaleCols = Math.ceil(cols / blockCols);
  if (codes.length !== rows * cols) throw new RangeError(`${codes.length} codes for a [${rows}, ${cols}] weight`);
  if (scaleInv.length !== Math.ceil(rows / blockRows) * scaleCols) {
    throw new RangeError(
      `${scaleInv.length} scales for a [${rows}, ${cols}] weight in ${blockRows}×${blockCols} blocks`,
    );
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const scaleRow = Math.floor(r / blockRows) * scaleCols;
    const rowStart = r * cols;
    for (let blockStart = 0, block = 0; blockStart < cols; blockStart += blockCols, block++) {
      const scale = scaleInv[scaleRow + block];
      const end = rowStart + Math.min(blockStart + blockCols, cols);
      for (let i = rowStart + blockStart; i < end; i++) out[i] = E4M3_TABLE[codes[i]] * scale;
    }
  }
  return out;
}

/** One block-row of a quantized weight: its codes and one scale per block column. */
export interface Fp8BlockRow {
  codes: Uint8Array;
  scaleInv: Float32Array;
}

/**
 * Quantizes rows of a weight that together are one block tall (row-major, `cols` wide):
 * scale_inv = max|block| / 448, then code = E4M3(w / scale_inv). `storedScale` rounds a scale to the dtype it
 * will be stored in, so the codes are computed against the scale a reader will actually see.
 */
export function quantizeFp8BlockRow(
  values: Float32Array,
  cols: number,
  blockCols: number,
  storedScale: (scale: number) => number,
): Fp8BlockRow {
  const rows = values.length / cols;
  const blocks = Math.ceil(cols / blockCols);
  const codes = new Uint8Array(values.length);
  const scaleInv = new Float32Array(blocks);
  for (let block = 0; block < blocks; block++) {
    const start = block * blockCols;
    const end = Math.min(start + blockCols, cols);
    let maxAbs = 0;
    for (let r = 0; r < rows; r++) {
      for (let i = r * cols + start; i < r * cols + end; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
    }
    // An all-zero block still needs a positive scale: readers treat scale ≤ 0 as corruption.
    const scale = maxAbs === 0 ? 1 : storedScale(maxAbs / E4M3_MAX);
    scaleInv[block] = scale;
    for (let r = 0; r < rows; r++) {
      for (let i = r * cols + start; i < r * cols + end; i++) codes[i] = encodeE4M3(values[i] / scale);
    }
  }
  return { codes, scaleInv };
}

/** Index of the first NaN code (0x7F or 0xFF), or -1: real FP8 checkpoints never store NaN weights. */
export function findE4M3NaN(codes: Uint8Array): number {
  for (let i = 0; i < codes.length; i++) if ((codes[i] & 0x7f) === 0x7f) return i;
  return -1;
}

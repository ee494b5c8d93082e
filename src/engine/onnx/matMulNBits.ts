/**
 * Block quantization for onnxruntime's `com.microsoft.MatMulNBits` (docs/architecture.md): symmetric, no
 * zero_points, so the op applies its implied zero point 2^(bits−1). The scale is MLAS BlockwiseQuantizer's,
 * −v/2^(bits−1) for the block's largest-magnitude v, so every level is used (max|v|/7 would leave one unused).
 */

export type MatMulNBitsBits = 4 | 8;

/** The op's B and scales inputs, with the attributes (K, N, bits, block_size) they were made for. */
export interface MatMulNBitsWeight {
  /** Output features N: rows of the Hugging Face weight [out, in]. */
  n: number;
  /** Input features K: columns of the Hugging Face weight. */
  k: number;
  bits: MatMulNBitsBits;
  blockSize: number;
  /** Input B, uint8 [n, blocksPerRow, blockSize·bits/8]; int4 levels pack two per byte, even k in the low nibble. */
  data: Uint8Array;
  /** Input scales, float32 [n, blocksPerRow] (onnxruntime also accepts it flattened to [n·blocksPerRow]). */
  scales: Float32Array;
}

export interface MatMulNBitsLayout {
  /** ceil(k / blockSize): a K that is not a multiple of the block is padded with zeros. */
  blocksPerRow: number;
  /** Bytes per block: blockSize·bits/8. */
  blockBytes: number;
  dataShape: [number, number, number];
  scalesShape: [number, number];
}

export function matMulNBitsLayout(n: number, k: number, bits: MatMulNBitsBits, blockSize: number): MatMulNBitsLayout {
  // onnxruntime accepts block sizes that are powers of two from 16 up.
  if (!Number.isInteger(blockSize) || blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) {
    throw new RangeError(`MatMulNBits block size must be a power of two ≥ 16, got ${blockSize}`);
  }
  if (!Number.isInteger(n) || !Number.isInteger(k) || n <= 0 || k <= 0) {
    throw new RangeError(`MatMulNBits needs positive integer N and K, got N=${n}, K=${k}`);
  }
  const blocksPerRow = Math.ceil(k / blockSize);
  const blockBytes = (blockSize * bits) / 8;
  return { blocksPerRow, blockBytes, dataShape: [n, blocksPerRow, blockBytes], scalesShape: [n, blocksPerRow] };
}

/**
 * Quantizes W [n][k] (row-major float32, Hugging Face layout) for MatMulNBits. Rows are independent: quantizing
 * a large weight in chunks of rows and concatenating data and scales gives the same bytes.
 */
export function quantizeForMatMulNBits(
  weight: Float32Array,
  n: number,
  k: number,
  bits: MatMulNBitsBits,
  blockSize = 32,
): MatMulNBitsWeight {
  if (weight.length !== n * k) throw new RangeError(`Weight has ${weight.length} values, expected N·K = ${n}·${k}`);
  const { blocksPerRow, blockBytes } = matMulNBitsLayout(n, k, bits, blockSize);
  const zeroPoint = 1 << (bits - 1);
  const maxLevel = (1 << bits) - 1;
  const data = new Uint8Array(n * blocksPerRow * blockBytes);
  const scales = new Float32Array(n * blocksPerRow);

  for (let row = 0; row < n; row++) {
    for (let block = 0; block < blocksPerRow; block++) {
      const start = row * k + block * blockSize;
      const count = Math.min(blockSize, k - block * blockSize);
      // The value of largest magnitude; a tie goes to the negative one, as in MLAS.
      let extreme = 0;
      let largest = 0;
      for (let j = 0; j < count; j++) {
        const v = weight[start + j];
        const magnitude = Math.abs(v);
        if (magnitude > largest || (magnitude === largest && v < extreme)) {
          largest = magnitude;
          extreme = v;
        }
      }
      // float32 arithmetic like MLAS, so the levels agree with onnxruntime's quantizer.
      const scale = Math.fround(-extreme / zeroPoint);
      const reciprocal = scale === 0 ? 0 : Math.fround(1 / scale);
      scales[row * blocksPerRow + block] = scale;

      // Padding stores the zero point, so a kernel that reads it adds exactly 0.
      const out = (row * blocksPerRow + block) * blockBytes;
      if (bits === 8) {
        for (let j = 0; j < count; j++) data[out + j] = level(weight[start + j], reciprocal, zeroPoint, maxLevel);
        data.fill(zeroPoint, out + count, out + blockSize);
      } else {
        for (let j = 0; j < blockSize; j += 2) {
          const low = j < count ? level(weight[start + j], reciprocal, zeroPoint, maxLevel) : zeroPoint;
          const high = j + 1 < count ? level(weight[start + j + 1], reciprocal, zeroPoint, maxLevel) : zeroPoint;
          data[out + j / 2] = low | (high << 4);
        }
      }
    }
  }
  return { n, k, bits, blockSize, data, scales };
}

/** clamp(roundf(v/scale + zero point)) as MLAS computes it in float32. */
function level(v: number, reciprocal: number, zeroPoint: number, maxLevel: number): number {
  // floor(x + 0.5) equals C's roundf for the float32 x ≥ 0 that survive the clamp; Math.round is several
  // times slower in V8.
  const rounded = Math.floor(Math.fround(Math.fround(v * reciprocal) + zeroPoint) + 0.5);
  return rounded < 0 ? 0 : rounded > maxLevel ? maxLevel : rounded;
}

/** W as MatMulNBits sees it, [n][k] float32: (level − zero point)·scale. For tests and error measurements. */
export function dequantizeMatMulNBits(weight: MatMulNBitsWeight): Float32Array {
  const { n, k, bits, blockSize, data, scales } = weight;
  const { blocksPerRow, blockBytes } = matMulNBitsLayout(n, k, bits, blockSize);
  const zeroPoint = 1 << (bits - 1);
  const out = new Float32Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < k; col++) {
      const block = Math.floor(col / blockSize);
      const inBlock = col - block * blockSize;
      const byteIndex = (row * blocksPerRow + block) * blockBytes + (bits === 8 ? inBlock : inBlock >> 1);
      const level = bits === 8 ? data[byteIndex] : (data[byteIndex] >> ((inBlock & 1) * 4)) & 0xf;
      out[row * k + col] = (level - zeroPoint) * scales[row * blocksPerRow + block];
    }
  }
  return out;
}

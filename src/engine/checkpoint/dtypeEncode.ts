/**
 * Float encoders for writing checkpoints (synthetic test fixtures, converted weights). Both round to nearest,
 * ties to even, as PyTorch does, so files we write hold the values a Python tool would have written.
 */

const float64View = new DataView(new ArrayBuffer(8));

/** E4M3FN code of a value: round to nearest even, saturate to ±448 (the format has no infinity), NaN → 0x7F. */
export function encodeE4M3(value: number): number {
  if (Number.isNaN(value)) return 0x7f;
  const sign = value < 0 || Object.is(value, -0) ? 0x80 : 0;
  const magnitude = Math.abs(value);
  if (magnitude >= 448) return sign | 0x7e;
  // Below the smallest normal (2^-6) the codes are evenly spaced by 2^-9; a rounded 8 is exactly code 0x08.
  if (magnitude < 2 ** -6) return sign | roundHalfEven(magnitude * 2 ** 9);
  // Normal: round the float64's 52-bit mantissa to E4M3's 3 bits with integer operations on its bits (exact,
  // and several times faster than log2/pow, which matters when writing billions of weights).
  float64View.setFloat64(0, magnitude);
  const high = float64View.getUint32(0); // sign 1 | exponent 11 | top 20 mantissa bits
  const exponent = (high >>> 20) - 1023;
  const kept = (high >>> 17) & 0x7;
  const dropped = high & 0x1ffff; // the rest of the high word; the low word only matters for ties
  const half = 0x10000;
  const roundUp = dropped > half || (dropped === half && (float64View.getUint32(4) !== 0 || (kept & 1) === 1));
  // A mantissa that rounds up to 8 carries into the exponent, which is what adding it to the code does.
  return sign | Math.min(((exponent + 7) << 3) + kept + (roundUp ? 1 : 0), 0x7e);
}

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** bfloat16 bits of a value (rounded to float32 first): round to nearest even, NaN stays a (quiet) NaN. */
export function encodeBf16(value: number): number {
  scratchFloat[0] = value;
  return bf16FromFloat32Bits(scratchBits[0]);
}

/** The value a bfloat16 reader will see for `value`. */
export function roundToBf16(value: number): number {
  scratchBits[0] = encodeBf16(value) << 16;
  return scratchFloat[0];
}

/**
 * Raw little-endian bytes of float32 values stored as `dtype`. For F32 this is a view of `values` (no
 * copy): write it out before changing them.
 */
export function encodeFloat32Array(values: Float32Array, dtype: 'BF16' | 'F32'): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) out[i] = bf16FromFloat32Bits(bits[i]);
  return new Uint8Array(out.buffer);
}

function bf16FromFloat32Bits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x0040;
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return fraction < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

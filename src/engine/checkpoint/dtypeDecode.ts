import type { FloatDtype } from './safetensorsDtype';

// safetensors stores little-endian data and typed arrays use the platform's byte order; every platform Node
// ships for (x64, arm64, …) is little-endian, so checking once here lets the decoders use plain views.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('Hearth reads safetensors only on little-endian machines');
}

/** Value of an FP8 E4M3FN code: 1 sign, 4 exponent (bias 7), 3 mantissa bits, no infinities, 0x7F/0xFF NaN. */
export function e4m3Value(code: number): number {
  if ((code & 0x7f) === 0x7f) return NaN;
  const sign = code & 0x80 ? -1 : 1;
  const exponent = (code >> 3) & 0x0f;
  const mantissa = code & 0x07;
  // exponent 0: subnormal, mantissa × 2^-9 (= mantissa/8 × 2^(1-7))
  const magnitude = exponent === 0 ? mantissa * 2 ** -9 : (1 + mantissa / 8) * 2 ** (exponent - 7);
  return sign * magnitude;
}

/** All 256 E4M3FN values by code: decoding FP8 is one table lookup per byte. */
export const E4M3_TABLE: Float32Array = Float32Array.from({ length: 256 }, (_, code) => e4m3Value(code));

let f16Table: Float32Array | undefined;

/** Built on first use (256 KiB): only F16 checkpoints need it. */
function halfTable(): Float32Array {
  if (f16Table === undefined) {
    f16Table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) {
      const sign = bits & 0x8000 ? -1 : 1;
      const exponent = (bits >> 10) & 0x1f;
      const mantissa = bits & 0x3ff;
      if (exponent === 0) f16Table[bits] = sign * mantissa * 2 ** -24;
      else if (exponent === 31) f16Table[bits] = mantissa === 0 ? sign * Infinity : NaN;
      else f16Table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
    }
  }
  return f16Table;
}

/** Decodes a tensor's raw bytes to float32 values (FP8 codes unscaled: see dequantizeBlockFp8 for weights). */
export function decodeToFloat32(dtype: FloatDtype, bytes: Uint8Array): Float32Array {
  switch (dtype) {
    case 'F8_E4M3':
      return decodeByTable(bytes, E4M3_TABLE);
    case 'F16':
      return decodeByTable(view(bytes, Uint16Array), halfTable());
    case 'BF16': {
      // bfloat16 is the top half of a float32: widen by shifting the bits into place.
      const halves = view(bytes, Uint16Array);
      const out = new Float32Array(halves.length);
      const outBits = new Uint32Array(out.buffer);
      for (let i = 0; i < halves.length; i++) outBits[i] = halves[i] << 16;
      return out;
    }
    case 'F32':
      return view(bytes, Float32Array).slice();
    case 'F64':
      return Float32Array.from(view(bytes, Float64Array));
  }
}

function decodeByTable(codes: Uint8Array | Uint16Array, table: Float32Array): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]];
  return out;
}

interface TypedArrayClass<T> {
  BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
}

/** A typed view of the bytes, copying first only when they are not aligned for the element size. */
function view<T>(bytes: Uint8Array, Type: TypedArrayClass<T>): T {
  const size = Type.BYTES_PER_ELEMENT;
  if (bytes.length % size !== 0)
    throw new RangeError(`${bytes.length} bytes is not a whole number of ${size}-byte elements`);
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new Type(aligned.buffer, aligned.byteOffset, aligned.length / size);
}

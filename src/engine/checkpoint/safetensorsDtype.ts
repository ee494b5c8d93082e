/** The element types a safetensors header may name, with their size in bytes. */
const DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** The floating-point types a weight may be stored in and read back as float32. */
export type FloatDtype = 'F8_E4M3' | 'BF16' | 'F16' | 'F32' | 'F64';

/** A tensor's name, element type and shape: what a header entry says before offsets are assigned. */
export interface TensorSpec {
  name: string;
  dtype: SafetensorsDtype;
  shape: readonly number[];
}

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

export function isFloatDtype(dtype: SafetensorsDtype): dtype is FloatDtype {
  return dtype === 'F8_E4M3' || dtype === 'BF16' || dtype === 'F16' || dtype === 'F32' || dtype === 'F64';
}

export function dtypeByteSize(dtype: SafetensorsDtype): number {
  return DTYPE_BYTES[dtype];
}

/** Number of elements in a shape; undefined when it is not a safe integer (a hostile header). */
export function elementCount(shape: readonly number[]): number | undefined {
  let count = 1;
  for (const dim of shape) {
    count *= dim;
    if (!Number.isSafeInteger(count)) return undefined;
  }
  return count;
}

export function tensorByteLength(spec: TensorSpec): number {
  const count = elementCount(spec.shape);
  const bytes = count === undefined ? undefined : count * dtypeByteSize(spec.dtype);
  if (bytes === undefined || !Number.isSafeInteger(bytes)) {
    throw new RangeError(`tensor ${spec.name}: shape [${spec.shape.join(', ')}] is too large`);
  }
  return bytes;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

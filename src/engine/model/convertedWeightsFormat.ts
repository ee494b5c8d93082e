/**
 * The on-disk format of a converted-weights file, one file per cache entry:
 *
 *   0   8 bytes  magic "HEARTHCW"
 *   8   uint32   format version (little-endian)
 *   12  uint32   byte length H of the JSON header
 *   16  H bytes  JSON header (ConvertedWeightsHeader), then zeros up to dataStart
 *   ... tensor data, each tensor at a 64-byte-aligned absolute offset
 *
 * Offsets are absolute, so a tensor's (offset, length) can be used as ONNX external data as it is. Tensor bytes
 * are stored in the machine's order, little-endian on every platform Node and onnxruntime ship for.
 */

export const CONVERTED_WEIGHTS_MAGIC = 'HEARTHCW';
export const CONVERTED_WEIGHTS_FORMAT_VERSION = 1;
export const PREAMBLE_BYTES = 16;
/** Tensor data alignment: enough for any SIMD load and a whole cache line. */
export const TENSOR_ALIGNMENT = 64;
/** A header this large is a corrupt file, not a model (Qwen3-4B needs about 130 KB). */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export const TENSOR_DTYPE_BYTES = { uint8: 1, int8: 1, float16: 2, bfloat16: 2, float32: 4 } as const;
export type ConvertedTensorDtype = keyof typeof TENSOR_DTYPE_BYTES;

/** One stored tensor: what ONNX external data needs (offset, length) and what verifies it (sha256). */
export interface ConvertedTensor {
  name: string;
  dtype: ConvertedTensorDtype;
  shape: number[];
  offset: number;
  length: number;
  /** Hex SHA-256 of the tensor's bytes. */
  sha256: string;
}

export interface ConvertedWeightsHeader {
  key: string;
  /** Where tensor data begins: the end of the space reserved for the header. */
  dataStart: number;
  /** The whole file's size: a truncated copy fails this check before any checksum is read. */
  fileSize: number;
  tensors: ConvertedTensor[];
}

export function alignUp(value: number, alignment = TENSOR_ALIGNMENT): number {
  return Math.ceil(value / alignment) * alignment;
}

export function tensorByteLength(dtype: ConvertedTensorDtype, shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, TENSOR_DTYPE_BYTES[dtype]);
}

/** Preamble and JSON header, ready to be written at offset 0. */
export function encodeHeader(header: ConvertedWeightsHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const bytes = Buffer.alloc(PREAMBLE_BYTES + json.length);
  bytes.write(CONVERTED_WEIGHTS_MAGIC, 0, 'latin1');
  bytes.writeUInt32LE(CONVERTED_WEIGHTS_FORMAT_VERSION, 8);
  bytes.writeUInt32LE(json.length, 12);
  json.copy(bytes, PREAMBLE_BYTES);
  return bytes;
}

/** The JSON header's length from the preamble, or why the preamble is not one of ours. */
export function headerLengthFromPreamble(preamble: Buffer, fileSize: number): number | string {
  if (preamble.length < PREAMBLE_BYTES || preamble.toString('latin1', 0, 8) !== CONVERTED_WEIGHTS_MAGIC)
    return 'bad magic';
  const version = preamble.readUInt32LE(8);
  if (version !== CONVERTED_WEIGHTS_FORMAT_VERSION) return `format version ${version}`;
  const length = preamble.readUInt32LE(12);
  if (length > MAX_HEADER_BYTES) return `header length ${length} over the limit of ${MAX_HEADER_BYTES}`;
  if (PREAMBLE_BYTES + length > fileSize) return `header length ${length} past the end of the file (${fileSize} bytes)`;
  return length;
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Parses and checks the header against the expected key and the file's actual size. Returns the header or
 * the reason the file cannot be trusted.
 */
export function parseHeader(json: Buffer, expectedKey: string, fileSize: number): ConvertedWeightsHeader | string {
  let header: Partial<ConvertedWeightsHeader>;
  try {
    header = JSON.parse(json.toString('utf8')) as Partial<ConvertedWeightsHeader>;
  } catch {
    return 'header is not JSON';
  }
  if (header.key !== expectedKey) return 'key mismatch';
  if (header.fileSize !== fileSize) return `size ${fileSize} instead of ${String(header.fileSize)}`;
  if (!isCount(header.dataStart) || header.dataStart < PREAMBLE_BYTES + json.length || !Array.isArray(header.tensors)) {
    return 'malformed header';
  }
  const names = new Set<string>();
  for (const tensor of header.tensors as Partial<ConvertedTensor>[]) {
    const reason = tensorProblem(tensor, header.dataStart, fileSize);
    if (reason !== undefined) return `tensor ${String(tensor.name)}: ${reason}`;
    if (names.has(tensor.name!)) return `duplicate tensor ${tensor.name}`;
    names.add(tensor.name!);
  }
  return header as ConvertedWeightsHeader;
}

function tensorProblem(tensor: Partial<ConvertedTensor>, dataStart: number, fileSize: number): string | undefined {
  if (typeof tensor.name !== 'string' || tensor.name === '') return 'no name';
  if (typeof tensor.dtype !== 'string' || !Object.hasOwn(TENSOR_DTYPE_BYTES, tensor.dtype))
    return `dtype ${String(tensor.dtype)}`;
  if (!Array.isArray(tensor.shape) || !tensor.shape.every(isCount)) return 'malformed shape';
  if (!isCount(tensor.length) || tensor.length !== tensorByteLength(tensor.dtype, tensor.shape))
    return 'length does not match shape';
  if (!isCount(tensor.offset) || tensor.offset % TENSOR_ALIGNMENT !== 0 || tensor.offset < dataStart)
    return 'bad offset';
  if (tensor.offset + tensor.length > fileSize) return 'extends past the end of the file';
  if (typeof tensor.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(tensor.sha256)) return 'malformed checksum';
  return undefined;
}

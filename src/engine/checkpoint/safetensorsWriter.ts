import { AtomicFile } from '../base/atomicFile';
import { tensorByteLength, type TensorSpec } from './safetensorsDtype';

export type { TensorSpec } from './safetensorsDtype';

/**
 * The 8-byte length prefix and JSON header of a safetensors file holding `specs` in order. The header is
 * padded with spaces to a multiple of 8 bytes, as the reference implementation does, so tensor data stays
 * aligned for typed views.
 */
export function encodeSafetensorsHeader(
  specs: readonly TensorSpec[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  // No prototype: a tensor named "__proto__" must become a key, not replace the object's prototype.
  const header = Object.create(null) as Record<string, unknown>;
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const spec of specs) {
    const end = offset + tensorByteLength(spec);
    header[spec.name] = { dtype: spec.dtype, shape: spec.shape, data_offsets: [offset, end] };
    offset = end;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  const bytes = Buffer.alloc(8 + padded, 0x20);
  bytes.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(bytes, 8);
  return bytes;
}

/**
 * Streams a safetensors file to disk: the header is written first (from the specs), then each tensor's
 * bytes in spec order, in as many chunks as the caller likes, so no tensor has to be whole in memory.
 * The file appears under its name only when finish() has checked that every byte was written.
 */
export class SafetensorsWriter {
  private current = 0;
  private writtenOfCurrent = 0;

  private constructor(
    private readonly file: AtomicFile,
    private readonly specs: readonly TensorSpec[],
    private readonly lengths: readonly number[],
  ) {
    this.skipEmptyTensors();
  }

  static create(
    path: string,
    specs: readonly TensorSpec[],
    metadata: Readonly<Record<string, string>> = { format: 'pt' },
  ): SafetensorsWriter {
    const header = encodeSafetensorsHeader(specs, metadata);
    const file = AtomicFile.create(path);
    try {
      file.write(header);
    } catch (error) {
      file.abort();
      throw error;
    }
    return new SafetensorsWriter(file, specs, specs.map(tensorByteLength));
  }

  get path(): string {
    return this.file.path;
  }

  /** Appends the next bytes of tensor `name`, which must be the tensor due next. */
  write(name: string, chunk: Uint8Array): void {
    const expected = this.specs[this.current]?.name;
    if (name !== expected)
      throw new Error(`${this.path}: got data for ${name}, expected ${expected ?? 'no more tensors'}`);
    const remaining = this.lengths[this.current] - this.writtenOfCurrent;
    if (chunk.length > remaining)
      throw new Error(`${this.path}: ${chunk.length} bytes for ${name}, which has ${remaining} left`);
    this.file.write(chunk);
    this.writtenOfCurrent += chunk.length;
    if (this.writtenOfCurrent === this.lengths[this.current]) {
      this.current++;
      this.writtenOfCurrent = 0;
      this.skipEmptyTensors();
    }
  }

  finish(): void {
    if (this.current < this.specs.length) {
      throw new Error(`${this.path}: tensor ${this.specs[this.current].name} and those after it are incomplete`);
    }
    this.file.commit();
  }

  abort(): void {
    this.file.abort();
  }

  private skipEmptyTensors(): void {
    while (this.current < this.specs.length && this.lengths[this.current] === 0) this.current++;
  }
}

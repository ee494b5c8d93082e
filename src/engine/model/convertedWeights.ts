/**
 * A complete, verified converted-weights file: where each tensor lies (for ONNX external data) and a way to
 * read one back. Made by `openConvertedWeights` after the checks of convertedWeightsFormat.ts, or by the writer
 * for the file it has just written.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { headerLengthFromPreamble, parseHeader, PREAMBLE_BYTES, type ConvertedTensor } from './convertedWeightsFormat';

/** Bytes hashed per read while verifying checksums. */
const VERIFY_CHUNK_BYTES = 16 * 1024 * 1024;

export class ConvertedWeights {
  readonly tensors: ReadonlyMap<string, ConvertedTensor>;

  constructor(
    /** Absolute path of the file. */
    readonly path: string,
    readonly key: string,
    tensors: readonly ConvertedTensor[],
  ) {
    this.tensors = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  }

  tensor(name: string): ConvertedTensor {
    const tensor = this.tensors.get(name);
    if (tensor === undefined) throw new RangeError(`Converted weights ${this.key} hold no tensor ${name}`);
    return tensor;
  }

  /** The tensor's bytes, read from the file. */
  async readTensor(name: string): Promise<Uint8Array> {
    const { offset, length } = this.tensor(name);
    const file = await open(this.path, 'r');
    try {
      const bytes = new Uint8Array(length);
      await readExactly(file, bytes, offset);
      return bytes;
    } finally {
      await file.close();
    }
  }
}

export type OpenResult = { weights: ConvertedWeights } | { invalid: string };

/**
 * Opens and checks the file at `path` for `key`: preamble, header, size, and (with `verifyChecksums`) every
 * tensor's SHA-256. Throws only what the file system throws (ENOENT for a miss).
 */
export async function openConvertedWeights(path: string, key: string, verifyChecksums: boolean): Promise<OpenResult> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const preamble = Buffer.alloc(PREAMBLE_BYTES);
    if (size < PREAMBLE_BYTES) return { invalid: `only ${size} bytes` };
    await readExactly(file, preamble, 0);
    const headerLength = headerLengthFromPreamble(preamble, size);
    if (typeof headerLength === 'string') return { invalid: headerLength };
    const json = Buffer.alloc(headerLength);
    await readExactly(file, json, PREAMBLE_BYTES);
    const header = parseHeader(json, key, size);
    if (typeof header === 'string') return { invalid: header };
    if (verifyChecksums) {
      const mismatch = await firstChecksumMismatch(file, header.tensors);
      if (mismatch !== undefined) return { invalid: `checksum mismatch in ${mismatch}` };
    }
    return { weights: new ConvertedWeights(path, key, header.tensors) };
  } finally {
    await file.close();
  }
}

async function firstChecksumMismatch(
  file: FileHandle,
  tensors: readonly ConvertedTensor[],
): Promise<string | undefined> {
  const chunk = Buffer.alloc(Math.min(VERIFY_CHUNK_BYTES, Math.max(1, ...tensors.map((t) => t.length))));
  for (const tensor of tensors) {
    const hash = createHash('sha256');
    for (let done = 0; done < tensor.length;) {
      const view = chunk.subarray(0, Math.min(chunk.length, tensor.length - done));
      await readExactly(file, view, tensor.offset + done);
      hash.update(view);
      done += view.length;
    }
    if (hash.digest('hex') !== tensor.sha256) return tensor.name;
  }
  return undefined;
}

/** Fills `target` from `position`; a short read means the file changed under us. */
export async function readExactly(file: FileHandle, target: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < target.length;) {
    const { bytesRead } = await file.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) throw new Error(`Unexpected end of file at ${position + done}`);
    done += bytesRead;
  }
}

import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';

/** Page alignment lets ONNX Runtime memory-map a tensor instead of reading it into its own buffer. */
const ALIGNMENT = 4096;

export interface ExternalTensorLocation {
  /** File name relative to the model file's folder (ORT rejects absolute paths and `..`). */
  location: string;
  offset: number;
  length: number;
}

/** Appends tensor bytes to an ONNX external data file that sits beside the model file. */
export class ExternalDataFile {
  private readonly fd: number;
  private size = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  append(bytes: Uint8Array): ExternalTensorLocation {
    const offset = Math.ceil(this.size / ALIGNMENT) * ALIGNMENT;
    // Writing at an explicit position leaves the padding as a sparse hole.
    let written = 0;
    while (written < bytes.byteLength) {
      written += writeSync(this.fd, bytes, written, bytes.byteLength - written, offset + written);
    }
    this.size = offset + bytes.byteLength;
    return { location: basename(this.path), offset, length: bytes.byteLength };
  }

  close(): void {
    closeSync(this.fd);
  }
}

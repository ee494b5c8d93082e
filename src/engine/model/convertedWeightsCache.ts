/**
 * The sidecar cache of converted weights: FP8 checkpoints are converted once and reused on the next start
 * (docs/architecture.md). One file per key; convertedWeightsFormat.ts holds the layout, convertedWeightsWriter.ts
 * the writes that never leave a half-written file trusted.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import type { WeightQuantization } from '../../shared/protocol';
import { defaultCacheDir } from '../base/defaultCacheDir';
import { makePrivateFolder } from '../base/privateFolder';
import { ConvertedWeights, openConvertedWeights } from './convertedWeights';
import {
  asCacheUnwritable,
  removeStaleTemporaries,
  writeConvertedWeightsFile,
  type TensorToWrite,
  type WriteProgress,
} from './convertedWeightsWriter';

/**
 * Version of the conversion itself. Bump it whenever the same checkpoint would convert to different bytes
 * (quantizer, layout, tensor names), so that old cache entries stop matching.
 */
export const WEIGHT_CONVERTER_VERSION = 1;

export type KeyParameters = Readonly<Record<string, string | number | boolean>>;

export interface ConvertedWeightsCacheOptions {
  /** Told why a cache file was discarded (corrupt, truncated, stale format). */
  onDiscard?: (path: string, reason: string) => void;
  /** Verify every tensor's SHA-256 on lookup (default true; reads the whole file once). */
  verifyChecksums?: boolean;
  /** Bytes reserved for the file header before the first tensor (tests use a small one). */
  headerReserve?: number;
}

export class ConvertedWeightsCache {
  readonly dir: string;

  constructor(
    dir: string = defaultCacheDir(),
    private readonly options: ConvertedWeightsCacheOptions = {},
  ) {
    this.dir = resolve(dir);
  }

  /**
   * The key of a conversion: SHA-256 of the checkpoint's identity, the converter version, the quantization and
   * any other parameter that changes the result (block size…), independent of the parameters' order.
   */
  keyFor(checkpointIdentity: string, quantization: WeightQuantization, parameters: KeyParameters = {}): string {
    const sorted = Object.keys(parameters)
      .sort()
      .map((name) => [name, parameters[name]]);
    const material = JSON.stringify({
      checkpointIdentity,
      converter: WEIGHT_CONVERTER_VERSION,
      quantization,
      parameters: sorted,
    });
    return createHash('sha256').update(material).digest('hex');
  }

  pathFor(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new RangeError(`Not a converted-weights key: ${key}`);
    return join(this.dir, `${key}.weights`);
  }

  /**
   * The complete file for `key`, or undefined. A file that fails any check (magic, header, size, checksums) is
   * deleted and reported as a miss: the caller converts again.
   */
  async lookup(key: string): Promise<ConvertedWeights | undefined> {
    const path = this.pathFor(key);
    let result: Awaited<ReturnType<typeof openConvertedWeights>>;
    try {
      result = await openConvertedWeights(path, key, this.options.verifyChecksums ?? true);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw asCacheUnwritable(error, this.dir);
    }
    if ('weights' in result) return result.weights;
    this.options.onDiscard?.(path, result.invalid);
    await rm(path, { force: true }).catch(() => undefined);
    return undefined;
  }

  /**
   * Writes the tensors for `key` and returns the stored file. Throws EngineError(CacheUnwritable) when the
   * folder cannot take it (read-only, no permission, disk full), leaving no file behind; errors of `tensors`
   * itself pass through unchanged, and so does an abort.
   */
  async write(
    key: string,
    tensors: AsyncIterable<TensorToWrite> | Iterable<TensorToWrite>,
    onProgress?: (progress: WriteProgress) => void,
    signal?: AbortSignal,
  ): Promise<ConvertedWeights> {
    const path = this.pathFor(key);
    try {
      makePrivateFolder(this.dir, { tighten: this.dir === resolve(defaultCacheDir()) });
    } catch (error) {
      throw asCacheUnwritable(error, this.dir);
    }
    await removeStaleTemporaries(path);
    return writeConvertedWeightsFile(path, key, tensors, {
      headerReserve: this.options.headerReserve,
      onProgress,
      signal,
    });
  }
}

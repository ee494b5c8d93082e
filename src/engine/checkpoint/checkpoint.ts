import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EngineErrorCode } from '../../shared/protocol';
import { findE4M3NaN, dequantizeBlockFp8 } from './blockFp8';
import { CheckpointError, NOT_FOUND_HINT } from './checkpointError';
import { locateWeightFiles, readJsonFile, type WeightFiles } from './checkpointFiles';
import { decodeToFloat32 } from './dtypeDecode';
import { parseGenerationConfig, type GenerationConfig } from './generationConfig';
import type { ModelConfig } from './modelConfig';
import { parseModelConfig } from './modelConfigParser';
import { formatShape, isFloatDtype, type SafetensorsDtype } from './safetensorsDtype';
import { SafetensorsFile, type TensorInfo } from './safetensorsReader';
import { fp8ScaleFor, validateCheckpointTensors, type TensorCatalog } from './tensorValidation';

/**
 * An open Hugging Face checkpoint folder: its config, and its tensors read on demand from the .safetensors
 * files (which stay open until close()).
 */
export class Checkpoint implements TensorCatalog {
  private readonly tensors = new Map<string, { file: SafetensorsFile; info: TensorInfo }>();

  private constructor(
    readonly dir: string,
    readonly config: ModelConfig,
    readonly generationConfig: GenerationConfig | undefined,
    readonly weightsSource: string,
    private readonly files: readonly SafetensorsFile[],
    weightMap: ReadonlyMap<string, string> | undefined,
    /** The config files' text: part of the identity, since the same weights under another config are another model. */
    private readonly configTexts: readonly string[],
  ) {
    for (const file of files) {
      for (const [name, info] of file.tensors) {
        // With an index, the index decides which shard's copy of a tensor counts.
        if (weightMap === undefined || weightMap.get(name) === file.path) this.tensors.set(name, { file, info });
      }
    }
    for (const [name, path] of weightMap ?? []) {
      if (!this.tensors.has(name)) {
        throw new CheckpointError(`is listed in ${basename(weightsSource)} but not stored in this shard`, {
          file: path,
          tensor: name,
        });
      }
    }
  }

  /**
   * A stable fingerprint for cache keys: changes when any weight file is replaced, touched or re-laid out, or
   * when the configs change. File names, sizes and mtimes are cheap to check; the header hash catches a
   * same-size rewrite that kept the mtime.
   */
  identity(): string {
    const hash = createHash('sha256');
    for (const text of this.configTexts) hash.update(text).update('\0');
    for (const file of this.files) {
      hash.update(`${basename(file.path)}\0${file.size}\0${file.mtimeMs}\0${file.headerSha256}\0`);
    }
    return hash.digest('hex');
  }

  tensorNames(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  tensor(name: string): TensorInfo {
    return this.entry(name).info;
  }

  shape(name: string): readonly number[] {
    return this.tensor(name).shape;
  }

  dtype(name: string): SafetensorsDtype {
    return this.tensor(name).dtype;
  }

  /** Raw little-endian bytes, as stored. */
  readBytes(name: string): Uint8Array {
    return this.entry(name).file.read(name);
  }

  /** The stored values as float32, row-major. FP8 codes come back unscaled: use readLinearFloat32 for weights. */
  readFloat32(name: string): Float32Array {
    const { dtype, file } = this.tensor(name);
    if (!isFloatDtype(dtype))
      throw new CheckpointError(`is ${dtype}, not a floating-point tensor`, { file, tensor: name });
    return decodeToFloat32(dtype, this.readBytes(name));
  }

  /**
   * The weight `${prefix}.weight` of a linear layer as float32 [out, in]; FP8 weights are dequantized with
   * their block scales: W[r][c] = fp8[r][c] × scale_inv[⌊r/b0⌋][⌊c/b1⌋].
   */
  readLinearFloat32(prefix: string): Float32Array {
    const weight = this.tensor(`${prefix}.weight`);
    if (weight.dtype !== 'F8_E4M3') return this.readFloat32(weight.name);

    const scale = fp8ScaleFor(this, weight, this.config);
    const scales = this.readFloat32(scale.name);
    const bad = scales.findIndex((value) => !(Number.isFinite(value) && value > 0));
    if (bad >= 0) {
      const blockCols = this.shape(scale.name)[1];
      const detail = `scale of block [${Math.floor(bad / blockCols)}, ${bad % blockCols}] is ${scales[bad]}; scales must be finite and positive`;
      throw new CheckpointError(detail, { file: this.tensor(scale.name).file, tensor: scale.name });
    }
    const [rows, cols] = weight.shape as [number, number];
    const codes = this.readBytes(weight.name);
    const nan = findE4M3NaN(codes);
    if (nan >= 0) {
      const detail = `element [${Math.floor(nan / cols)}, ${nan % cols}] of ${formatShape(weight.shape)} is NaN`;
      throw new CheckpointError(detail, { file: weight.file, tensor: weight.name });
    }
    return dequantizeBlockFp8(codes, rows, cols, scales, scale.blockSize);
  }

  /** Called by openCheckpoint; see validateCheckpointTensors. */
  validateTensors(): void {
    validateCheckpointTensors(this, this.config);
  }

  close(): void {
    for (const file of this.files) file.close();
  }

  /** See openCheckpoint. */
  static open(dir: string): Checkpoint {
    const root = resolve(dir);
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
      throw new CheckpointError(
        'is not a folder',
        { file: root },
        { code: EngineErrorCode.ModelNotFound, hint: NOT_FOUND_HINT },
      );
    }
    const configFile = join(root, 'config.json');
    const config = readJsonFile(configFile);
    if (config === undefined) {
      throw new CheckpointError(
        'is missing: this is not a Hugging Face checkpoint folder',
        { file: configFile },
        {
          code: EngineErrorCode.ModelNotFound,
          hint: NOT_FOUND_HINT,
        },
      );
    }
    const generationFile = join(root, 'generation_config.json');
    const generation = readJsonFile(generationFile);
    const generationConfig = generation && parseGenerationConfig(generation.json, generationFile);
    const modelConfig = parseModelConfig(config.json, configFile, generationConfig);

    const weights = locateWeightFiles(root);
    const files = openAll(weights);
    try {
      const configTexts = [config.text, generation?.text ?? ''];
      const checkpoint = new Checkpoint(
        root,
        modelConfig,
        generationConfig,
        weights.source,
        files,
        weights.weightMap,
        configTexts,
      );
      checkpoint.validateTensors();
      return checkpoint;
    } catch (error) {
      for (const file of files) file.close();
      throw error;
    }
  }

  private entry(name: string): { file: SafetensorsFile; info: TensorInfo } {
    const entry = this.tensors.get(name);
    if (entry === undefined) throw new CheckpointError('is missing', { file: this.weightsSource, tensor: name });
    return entry;
  }
}

/**
 * Opens and validates a Hugging Face checkpoint folder: config.json (required), generation_config.json
 * (optional), and model.safetensors or model.safetensors.index.json with its shards. Every tensor the
 * architecture needs is checked (presence, shape, dtype, FP8 scales) before this returns.
 */
export function openCheckpoint(dir: string): Checkpoint {
  return Checkpoint.open(dir);
}

function openAll(weights: WeightFiles): SafetensorsFile[] {
  const opened: SafetensorsFile[] = [];
  try {
    for (const path of weights.files) opened.push(SafetensorsFile.open(path));
    return opened;
  } catch (error) {
    for (const file of opened) file.close();
    throw error;
  }
}

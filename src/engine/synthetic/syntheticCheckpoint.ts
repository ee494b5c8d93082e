import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { copyFileAtomic, writeFileAtomic } from '../base/atomicFile';
import { quantizeFp8BlockRow } from '../checkpoint/blockFp8';
import { SINGLE_WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from '../checkpoint/checkpointFiles';
import { expectedTensors, scaleInvName, type ExpectedTensor, type TensorRole } from '../checkpoint/checkpointLayout';
import { encodeFloat32Array, roundToBf16 } from '../checkpoint/dtypeEncode';
import type { Architecture, ModelConfig } from '../checkpoint/modelConfig';
import { parseGenerationConfig } from '../checkpoint/generationConfig';
import { parseModelConfig } from '../checkpoint/modelConfigParser';
import { tensorByteLength, type TensorSpec } from '../checkpoint/safetensorsDtype';
import { SeededNormal } from './seededNormal';
import {
  FP8_BLOCK_SIZE,
  QWEN3_GENERATION_CONFIG,
  SYNTHETIC_GEOMETRIES,
  syntheticConfigJson,
  type SyntheticDtype,
  type SyntheticGeometry,
  type SyntheticGeometryName,
} from './syntheticConfig';
import { bundledQwen3TokenizerDir } from '../text/bundledTokenizer';
import { WeightShardsWriter } from '../checkpoint/weightShardsWriter';

export interface SyntheticCheckpointOptions {
  outDir: string;
  geometry: SyntheticGeometryName | SyntheticGeometry;
  /** fp8: layer projections in block-wise E4M3 with scales, the rest BF16 (like Qwen3-*-FP8). */
  dtype: SyntheticDtype;
  seed: number;
  arch: Architecture;
  tied: boolean;
  /** Storage of FP8 block scales (fp8 only): Qwen3 FP8 checkpoints use BF16; some converters write F32. */
  scaleDtype?: 'bf16' | 'f32';
  /** Largest shard, in bytes of tensor data; above it the weights are sharded with an index. */
  shardBytes?: number;
  onProgress?: (progress: SyntheticProgress) => void;
  signal?: AbortSignal;
}

export interface SyntheticProgress {
  tensor: string;
  bytesWritten: number;
  totalBytes: number;
}

export interface SyntheticCheckpoint {
  dir: string;
  config: ModelConfig;
  /** Names of the files written, relative to dir. */
  files: string[];
}

/** Initial weights: N(mean, std²) per role. Values this size give non-degenerate greedy output. */
const INIT: Readonly<Record<TensorRole, { mean: number; std: number }>> = {
  embedding: { mean: 0, std: 0.02 },
  outputHead: { mean: 0, std: 0.02 },
  linear: { mean: 0, std: 0.06 },
  bias: { mean: 0, std: 0.02 },
  norm: { mean: 1, std: 0.02 },
};
/** Rows are generated and written in bands of about this many values, so no tensor is ever whole in memory. */
const BAND_VALUES = 1 << 20;

interface PlannedTensor {
  expected: ExpectedTensor;
  dtype: 'F8_E4M3' | 'BF16' | 'F32';
  scaleDtype?: 'BF16' | 'F32';
}

/**
 * Writes a checkpoint folder in the exact Hugging Face layout with seeded random weights: config.json,
 * generation_config.json, the real Qwen3 tokenizer files, and the weights. Each tensor's values come from its
 * own seeded stream, so the same seed gives the same underlying float32 weights whatever the dtype, tying or
 * sharding, and byte-identical files when run again. Every file is written atomically, and config.json
 * last, so an interrupted run into a fresh folder never leaves one that opens as a checkpoint.
 */
export async function writeSyntheticCheckpoint(options: SyntheticCheckpointOptions): Promise<SyntheticCheckpoint> {
  const { outDir, dtype, seed, signal } = options;
  const geometry = typeof options.geometry === 'string' ? SYNTHETIC_GEOMETRIES[options.geometry] : options.geometry;
  const configJson = syntheticConfigJson(geometry, options.arch, dtype, options.tied);
  const configFile = join(outDir, 'config.json');
  // Lay the tensors out for the config exactly as the reader will parse it.
  const generationFile = join(outDir, 'generation_config.json');
  const config = parseModelConfig(
    configJson,
    configFile,
    parseGenerationConfig(QWEN3_GENERATION_CONFIG, generationFile),
  );
  const plan = expectedTensors(config).map((expected) => planTensor(expected, dtype, options.scaleDtype ?? 'bf16'));
  const specs = plan.flatMap(storageSpecs);
  const totalBytes = specs.reduce((sum, spec) => sum + tensorByteLength(spec), 0);

  mkdirSync(outDir, { recursive: true });
  const weights = WeightShardsWriter.create(outDir, specs, options.shardBytes);
  let weightFiles: string[];
  try {
    let bytesWritten = 0;
    for (const tensor of plan) {
      await writeTensor(weights, tensor, seed, signal);
      bytesWritten += storageSpecs(tensor).reduce((sum, spec) => sum + tensorByteLength(spec), 0);
      options.onProgress?.({ tensor: tensor.expected.name, bytesWritten, totalBytes });
    }
    weightFiles = weights.finish();
  } catch (error) {
    weights.abort();
    throw error;
  }
  // A rerun into the same folder may switch between one file and shards: the stale layout would win.
  rmSync(join(outDir, weightFiles.includes(WEIGHTS_INDEX_FILE) ? SINGLE_WEIGHTS_FILE : WEIGHTS_INDEX_FILE), {
    force: true,
  });

  writeFileAtomic(generationFile, toJsonText(QWEN3_GENERATION_CONFIG));
  const tokenizerDir = bundledQwen3TokenizerDir();
  for (const name of ['tokenizer.json', 'tokenizer_config.json'])
    copyFileAtomic(join(tokenizerDir, name), join(outDir, name));
  writeFileAtomic(configFile, toJsonText(configJson));
  const files = [...weightFiles, 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'config.json'];
  return { dir: outDir, config, files };
}

function planTensor(expected: ExpectedTensor, dtype: SyntheticDtype, scaleDtype: 'bf16' | 'f32'): PlannedTensor {
  if (dtype === 'f32') return { expected, dtype: 'F32' };
  if (dtype === 'fp8' && expected.role === 'linear')
    return { expected, dtype: 'F8_E4M3', scaleDtype: scaleDtype === 'f32' ? 'F32' : 'BF16' };
  return { expected, dtype: 'BF16' };
}

function storageSpecs({ expected, dtype, scaleDtype }: PlannedTensor): TensorSpec[] {
  const weight: TensorSpec = { name: expected.name, dtype, shape: expected.shape };
  if (scaleDtype === undefined) return [weight];
  const [rows, cols] = expected.shape;
  const scaleShape = [Math.ceil(rows / FP8_BLOCK_SIZE[0]), Math.ceil(cols / FP8_BLOCK_SIZE[1])];
  return [weight, { name: scaleInvName(expected.name), dtype: scaleDtype, shape: scaleShape }];
}

/**
 * Generates one tensor band by band (one block-row at a time for FP8) and streams it to the writer, yielding
 * between bands so an abort (or anything else waiting) gets in even during a 400M-value embedding.
 */
async function writeTensor(
  weights: WeightShardsWriter,
  tensor: PlannedTensor,
  seed: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { expected, dtype, scaleDtype } = tensor;
  const cols = expected.shape[expected.shape.length - 1];
  const rows = expected.shape.length === 2 ? expected.shape[0] : 1;
  const random = new SeededNormal(seed, expected.name);
  const { mean, std } = INIT[expected.role];
  const bandRows = scaleDtype !== undefined ? FP8_BLOCK_SIZE[0] : Math.max(1, Math.floor(BAND_VALUES / cols));
  const storedScale = scaleDtype === 'F32' ? Math.fround : roundToBf16;
  const scaleRows: Float32Array[] = [];

  for (let row = 0; row < rows; row += bandRows) {
    await yieldToEventLoop();
    signal?.throwIfAborted();
    const values = new Float32Array(Math.min(bandRows, rows - row) * cols);
    random.fill(values, mean, std);
    if (dtype === 'F8_E4M3') {
      const { codes, scaleInv } = quantizeFp8BlockRow(values, cols, FP8_BLOCK_SIZE[1], storedScale);
      weights.write(expected.name, codes);
      scaleRows.push(scaleInv);
    } else {
      weights.write(expected.name, encodeFloat32Array(values, dtype));
    }
  }
  if (scaleDtype !== undefined) {
    const scales = new Float32Array(scaleRows.length * scaleRows[0].length);
    scaleRows.forEach((scaleRow, index) => scales.set(scaleRow, index * scaleRow.length));
    weights.write(scaleInvName(expected.name), encodeFloat32Array(scales, scaleDtype));
  }
}

function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

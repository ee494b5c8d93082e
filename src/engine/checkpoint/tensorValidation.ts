import { CheckpointError } from './checkpointError';
import { expectedTensors, scaleInvName, type ExpectedTensor } from './checkpointLayout';
import type { ModelConfig } from './modelConfig';
import { formatShape, isFloatDtype } from './safetensorsDtype';
import type { TensorInfo } from './safetensorsHeader';

/** What validation needs of a checkpoint: which tensors it has and where. */
export interface TensorCatalog {
  /** The file that lists the tensors (model.safetensors or the index): missing tensors are reported against it. */
  readonly weightsSource: string;
  has(name: string): boolean;
  tensor(name: string): TensorInfo;
}

/** An FP8 weight's block scales: the tensor that holds them and the block they cover. */
export interface Fp8ScaleRef {
  name: string;
  blockSize: readonly [number, number];
}

/**
 * Checks that every tensor the architecture needs is present with the shape config.json implies and a
 * dtype the engine can read. Reports the first problem, naming the tensor.
 */
export function validateCheckpointTensors(catalog: TensorCatalog, config: ModelConfig): void {
  for (const expected of expectedTensors(config)) {
    const info = requireTensor(catalog, expected.name);
    checkShape(info, expected.shape, 'config.json implies');
    checkDtype(catalog, info, expected, config);
  }
}

/** Finds and checks the block scales of an F8_E4M3 weight [out, in]: shape [⌈out/b0⌉, ⌈in/b1⌉], float dtype. */
export function fp8ScaleFor(catalog: TensorCatalog, weight: TensorInfo, config: ModelConfig): Fp8ScaleRef {
  const where = { file: weight.file, tensor: weight.name };
  if (config.quantization === undefined) {
    throw new CheckpointError('is F8_E4M3, but config.json has no quantization_config to say how it is scaled', where);
  }
  if (weight.shape.length !== 2)
    throw new CheckpointError(`FP8 weight of shape ${formatShape(weight.shape)} is not 2-D`, where);
  const blockSize = config.quantization.weightBlockSize;
  const name = scaleInvName(weight.name);
  const scale = requireTensor(catalog, name);
  const [rows, cols] = weight.shape as [number, number];
  checkShape(
    scale,
    [Math.ceil(rows / blockSize[0]), Math.ceil(cols / blockSize[1])],
    `${blockSize.join('×')} blocks of ${weight.name} need`,
  );
  if (!isFloatDtype(scale.dtype) || scale.dtype === 'F8_E4M3') {
    throw new CheckpointError(`scales stored as ${scale.dtype}; expected BF16, F16 or F32`, {
      file: scale.file,
      tensor: name,
    });
  }
  return { name, blockSize };
}

function requireTensor(catalog: TensorCatalog, name: string): TensorInfo {
  if (!catalog.has(name)) throw new CheckpointError('is missing', { file: catalog.weightsSource, tensor: name });
  return catalog.tensor(name);
}

function checkShape(info: TensorInfo, expected: readonly number[], because: string): void {
  const same = info.shape.length === expected.length && info.shape.every((dim, i) => dim === expected[i]);
  if (!same) {
    const detail = `has shape ${formatShape(info.shape)}, but ${because} ${formatShape(expected)}`;
    throw new CheckpointError(detail, { file: info.file, tensor: info.name });
  }
}

function checkDtype(catalog: TensorCatalog, info: TensorInfo, expected: ExpectedTensor, config: ModelConfig): void {
  // Only projections inside layers may be FP8 (they carry block scales); the rest must be plain floats.
  if (info.dtype === 'F8_E4M3' && expected.role === 'linear') {
    fp8ScaleFor(catalog, info, config);
    return;
  }
  if (!isFloatDtype(info.dtype) || info.dtype === 'F8_E4M3') {
    const allowed = expected.role === 'linear' ? 'F8_E4M3, BF16, F16 or F32' : 'BF16, F16 or F32';
    throw new CheckpointError(`is ${info.dtype}; expected ${allowed}`, { file: info.file, tensor: info.name });
  }
}

/**
 * A graph of only the decoder's weight matmuls, over the same stored tensors: the floor a decode step cannot
 * beat, so the benchmark can report a step's overhead beyond reading the weights.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ModelConfig } from '../checkpoint/modelConfig';
import type { StoredTensors } from './storedTensors';
import {
  decoderTensorPlan,
  linearTensorSpecs,
  MATMUL_NBITS_BLOCK_SIZE,
  type LinearPlan,
  type WeightFormat,
} from './decoderWeights';
import { MICROSOFT_DOMAIN, OnnxModelBuilder, TensorType } from './onnxModelBuilder';

export interface WeightMatmulsModel {
  path: string;
  /** Input name → its width k: each input is a [1, k] float activation. */
  inputs: Map<string, number>;
  outputs: string[];
}

/** Writes the matmul-only graph beside the stored tensors. */
export function writeWeightMatmulsModel(
  config: ModelConfig,
  format: Exclude<WeightFormat, 'fp32'>,
  stored: StoredTensors,
): WeightMatmulsModel {
  const plan = decoderTensorPlan(config, format);
  const linears: LinearPlan[] = plan.layers.flatMap((layer) => [layer.qkv, layer.output, layer.gateUp, layer.down]);
  if ('n' in plan.lmHead) linears.push(plan.lmHead);

  const b = new OnnxModelBuilder();
  const location = basename(stored.path);
  const inputs = new Map<string, number>();
  const outputs: string[] = [];
  const inputFor = (k: number) => {
    const name = `x${k}`;
    if (!inputs.has(name)) inputs.set(b.input(name, TensorType.float, [1, k]), k);
    return name;
  };
  for (const linear of linears) {
    const specs = linearTensorSpecs(linear, format);
    const placed = [specs.weight, specs.scales!].map((spec) => {
      const { offset, length } = stored.tensor(spec.name);
      return b.externalInitializer(
        spec.name,
        spec.dtype === 'float32' ? TensorType.float : TensorType.uint8,
        spec.shape,
        { location, offset, length },
      );
    });
    const [y] = b.opN(
      'MatMulNBits',
      [inputFor(linear.k), ...placed],
      [`${linear.name}.y`],
      {
        K: linear.k,
        N: linear.n,
        bits: format === 'int8' ? 8 : 4,
        block_size: MATMUL_NBITS_BLOCK_SIZE,
        accuracy_level: 4,
      },
      MICROSOFT_DOMAIN,
    );
    // A tiny output per matmul keeps every node alive without copying its result out.
    const output = b.op('ReduceMax', [y], { keepdims: 0 });
    b.output(output, TensorType.float, []);
    outputs.push(output);
  }
  const path = join(dirname(stored.path), `${location}.matmuls.onnx`);
  writeFileSync(path, b.toBytes('weight-matmuls'));
  return { path, inputs, outputs };
}

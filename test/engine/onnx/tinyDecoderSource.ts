/** In-memory WeightSources for decoder tests: the reference's tiny random models at a slightly larger geometry. */
import type { Architecture, ModelConfig } from '../../../src/engine/checkpoint/modelConfig';
import type { WeightSource } from '../../../src/engine/onnx/decoderWeights';
import { ReferenceModel } from '../reference/referenceForward';
import { tinyConfig, tinyRandomWeights, weightGetter } from '../reference/tinyModel';

/** 2 layers, hidden 256, 4 query heads over 2 KV heads of 64, intermediate 512, vocabulary 512. */
export function decoderTestConfig(architecture: Architecture, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return tinyConfig(architecture, { hiddenSize: 256, numHeads: 4, numKvHeads: 2, headDim: 64, intermediateSize: 512, vocabSize: 512, ...overrides });
}

export interface TestModel {
  source: WeightSource;
  reference: (contextLength: number) => ReferenceModel;
}

export function testModel(config: ModelConfig, seed = 1): TestModel {
  const weights = tinyRandomWeights(config, seed);
  const get = weightGetter(weights);
  return {
    source: { config, has: (name) => weights.has(name), readFloat32: get, readLinearFloat32: (prefix) => get(`${prefix}.weight`) },
    reference: (contextLength) => new ReferenceModel(config, get, contextLength),
  };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

export function meanAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

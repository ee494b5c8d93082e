/** In-memory WeightSources for decoder tests: the reference's tiny random models at a slightly larger geometry. */
import { after } from 'node:test';
import type { Architecture, ModelConfig } from '../../../src/engine/checkpoint/modelConfig';
import type { WeightSource } from '../../../src/engine/onnx/decoderWeights';
import { OnnxDecoder, type OnnxDecoderOptions } from '../../../src/engine/onnx/onnxDecoder';
import { ReferenceModel } from '../reference/referenceForward';
import { tinyConfig, tinyRandomWeights, weightGetter } from '../reference/tinyModel';

/** 2 layers, hidden 256, 4 query heads over 2 KV heads of 64, intermediate 512, vocabulary 512. */
export function decoderTestConfig(architecture: Architecture, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return tinyConfig(architecture, {
    hiddenSize: 256,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 64,
    intermediateSize: 512,
    vocabSize: 512,
    ...overrides,
  });
}

export interface TestModel {
  source: WeightSource;
  reference: (contextLength: number) => ReferenceModel;
}

export function testModel(config: ModelConfig, seed = 1): TestModel {
  const weights = tinyRandomWeights(config, seed);
  const get = weightGetter(weights);
  return {
    source: {
      config,
      has: (name) => weights.has(name),
      readFloat32: get,
      readLinearFloat32: (prefix) => get(`${prefix}.weight`),
    },
    reference: (contextLength) => new ReferenceModel(config, get, contextLength),
  };
}

/** The prompt the decoder tests run, and how many greedy steps they compare after it. */
export const TEST_PROMPT: readonly number[] = [3, 17, 42, 8, 8, 25, 1, 99, 400, 7, 511, 256];
export const TEST_STEPS = 16;

/**
 * `open(model, options)` for a test file: an OnnxDecoder over the model with the file's defaults (fp32 weights,
 * one thread, …) under `options`. Every decoder it opened is disposed after the file's tests.
 */
export function decoderOpener(
  defaults: Partial<OnnxDecoderOptions> & Pick<OnnxDecoderOptions, 'contextLength'>,
): (model: TestModel, options?: Partial<OnnxDecoderOptions>) => Promise<OnnxDecoder> {
  const decoders: OnnxDecoder[] = [];
  after(async () => {
    for (const decoder of decoders) await decoder.dispose();
  });
  return async (model, options = {}) => {
    const decoder = await OnnxDecoder.create(model.source, {
      quantization: 'fp32',
      threads: 1,
      ...defaults,
      ...options,
    });
    decoders.push(decoder);
    return decoder;
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

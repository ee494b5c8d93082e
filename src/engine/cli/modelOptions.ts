import type { ParseArgsConfig } from 'node:util';
import type { WeightQuantization } from '../model/convertedWeightsCache';
import type { LoadModelOptions } from '../model/modelLoader';
import { KV_CACHE_DTYPES, type KvCacheDtype } from '../onnx/kvCache';
import { parseChoice, parseIntegerOption, UsageError } from './cliCommand';

/** The options every command that loads a model takes. */
export const modelParseOptions = {
  model: { type: 'string' },
  quantization: { type: 'string' },
  'cache-dir': { type: 'string' },
  threads: { type: 'string' },
  context: { type: 'string' },
  kv: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const modelUsage = '--model DIR [--quantization int8|int4|fp32] [--kv float32|int8] [--context N] [--threads N] [--cache-dir DIR]';

type ModelOptionValues = { [K in keyof typeof modelParseOptions]?: string };

export function parseModelOptions(values: ModelOptionValues): { dir: string } & LoadModelOptions {
  if (!values.model) throw new UsageError('--model is required.');
  const quantization = parseChoice<WeightQuantization>('quantization', values.quantization, ['int8', 'int4', 'fp32'], 'int8');
  const kvCacheDtype = parseChoice<KvCacheDtype>('kv', values.kv, KV_CACHE_DTYPES, 'float32');
  return {
    dir: values.model,
    quantization,
    kvCacheDtype,
    ...(values.context !== undefined && { contextLength: parseIntegerOption('context', values.context) }),
    ...(values.threads !== undefined && { threads: parseIntegerOption('threads', values.threads) }),
    ...(values['cache-dir'] !== undefined && { cacheDir: values['cache-dir'] }),
  };
}

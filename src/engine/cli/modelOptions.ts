import type { ParseArgsConfig } from 'node:util';
import {
  KV_CACHE_CHOICES,
  WEIGHT_QUANTIZATIONS,
  type KvCacheChoice,
  type WeightQuantization,
} from '../../shared/protocol';
import type { LoadModelOptions } from '../model/modelLoader';
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

/** The weights and KV cache options, with their choices, for usage lines. */
export const modelChoiceUsage = `[--quantization ${WEIGHT_QUANTIZATIONS.join('|')}] [--kv ${KV_CACHE_CHOICES.join('|')}]`;

export const modelUsage = `--model DIR ${modelChoiceUsage} [--context N] [--threads N] [--cache-dir DIR]`;

type ModelOptionValues = { [K in keyof typeof modelParseOptions]?: string };

/** The model options as parsed: --kv always has a value (the command's default when left out). */
export type ModelOptions = LoadModelOptions & { dir: string; kvCache: KvCacheChoice };

/**
 * `defaultKvCache`: what --kv means when left out. auto (chooseKvCache: float32 up to 4,096 positions, int8
 * beyond) where the user wants answers; float32 where a command measures or compares (bench, logits), so its
 * numbers say what they are of unless asked otherwise.
 */
export function parseModelOptions(values: ModelOptionValues, defaultKvCache: KvCacheChoice = 'float32'): ModelOptions {
  if (!values.model) throw new UsageError('--model is required.');
  const quantization = parseChoice<WeightQuantization>(
    'quantization',
    values.quantization,
    WEIGHT_QUANTIZATIONS,
    'int8',
  );
  const kvCache = parseChoice<KvCacheChoice>('kv', values.kv, KV_CACHE_CHOICES, defaultKvCache);
  return {
    dir: values.model,
    quantization,
    kvCache,
    ...(values.context !== undefined && { contextLength: parseIntegerOption('context', values.context) }),
    ...(values.threads !== undefined && { threads: parseIntegerOption('threads', values.threads) }),
    ...(values['cache-dir'] !== undefined && { cacheDir: values['cache-dir'] }),
  };
}

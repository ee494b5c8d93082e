/**
 * Every `hearth.*` setting the extension reads: its key, type and default, declared once. package.json's
 * `contributes.configuration` declares the same for VS Code; a unit test holds the two together.
 */
import {
  DEFAULT_KV_CACHE,
  DEFAULT_QUANTIZATION,
  KV_CACHE_CHOICES,
  LOG_LEVELS,
  type WeightQuantization,
} from '../shared/protocol';
import { DEFAULT_QUESTION_SHARE } from '../shared/wire/contextParamsSchemas';

/** Where answers are generated: this machine's engine process, or an OpenAI-compatible model server. */
export const ENGINE_KINDS = ['local', 'remote'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

interface Setting<T> {
  type: 'string' | 'number' | 'boolean' | 'array';
  default: T;
  /** The values VS Code offers (package.json's `enum`). */
  choices?: readonly T[];
}

const text = (fallback = ''): Setting<string> => ({ type: 'string', default: fallback });
const count = (fallback: number): Setting<number> => ({ type: 'number', default: fallback });
const flag = (fallback: boolean): Setting<boolean> => ({ type: 'boolean', default: fallback });
const list = (): Setting<string[]> => ({ type: 'array', default: [] });
const choice = <T extends string>(choices: readonly T[], fallback: T): Setting<T> => ({
  type: 'string',
  default: fallback,
  choices,
});

export const HEARTH_SETTINGS = {
  'engine.logLevel': choice(LOG_LEVELS, 'info'),
  'model.path': text(),
  'model.reasoningPath': text(),
  'model.completionPath': text(),
  'completion.enabled': flag(true),
  'completion.disabledLanguages': list(),
  'completion.warmUp': flag(true),
  'completion.debounceMs': count(150),
  'model.contextLength': count(0),
  'context.maxTokens': count(0),
  'context.exclude': list(),
  'context.questionShare': count(DEFAULT_QUESTION_SHARE),
  'context.prefillInBackground': flag(true),
  'chat.maxTokens': count(2048),
  // fp32 weights are for exactness tests, not offered to users.
  'engine.quantization': choice<WeightQuantization>(['int8', 'int4'], DEFAULT_QUANTIZATION),
  'engine.kvCache': choice(KV_CACHE_CHOICES, DEFAULT_KV_CACHE),
  'engine.threads': count(0),
  'engine.kind': choice(ENGINE_KINDS, 'local'),
  'engine.url': text(),
  'engine.model': text(),
  cacheDir: text(),
} as const;

export type HearthSettingKey = keyof typeof HEARTH_SETTINGS;
export type HearthSettingValue<K extends HearthSettingKey> = (typeof HEARTH_SETTINGS)[K]['default'];

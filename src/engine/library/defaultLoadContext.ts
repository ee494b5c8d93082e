import type { KvCacheDtype, ModelFit } from '../../shared/protocol';
import type { ModelConfig } from '../checkpoint/modelConfig';
import { MIN_USEFUL_CONTEXT } from './hardwareFit';
import { nativeContextOf } from './localModelFit';

export interface DefaultLoadContext {
  contextLength: number;
  /** The cache the context was sized for: a load must ask for this one, not auto again. */
  kvCache: KvCacheDtype;
}

/**
 * What a load without a context length asks for, given the model's fit now: the fit's default context (a power
 * of two up to min(native, 32K)) with the KV cache it was sized for. auto is settled here because the loader
 * would choose again against the memory free later, and could load the 8-bit cache's longer context as float32.
 * When not even the smallest useful context fits, that one is asked for (or the native length, if shorter), so
 * the loader's memory check says why it fails.
 */
export function defaultLoadContext({ config, fit }: { config: ModelConfig; fit: ModelFit }): DefaultLoadContext {
  const contextLength =
    fit.defaultContext > 0 ? fit.defaultContext : Math.min(nativeContextOf(config), MIN_USEFUL_CONTEXT);
  return { contextLength, kvCache: fit.kvCache };
}

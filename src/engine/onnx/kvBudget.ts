import { freemem } from 'node:os';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type KvCacheDtype } from '../../shared/protocol';
import { kvCacheBytes, type KvGeometry } from './kvCache';

/** Share of the free memory the weights and KV cache may take; the rest is left to the system and ORT. */
const FREE_MEMORY_SHARE = 0.8;
const GIB = 1024 ** 3;

/** The default KV budget: most of the free memory, less what the weights will take. */
export function defaultKvBudgetBytes(weightBytes: number, freeBytes = freemem()): number {
  return Math.max(0, freeBytes * FREE_MEMORY_SHARE - weightBytes);
}

/**
 * Memory one more position of context costs: K and V of every layer, plus one layer's worth of slack because
 * growing the cache briefly holds a layer's old and new buffers.
 */
export function kvBytesPerToken(geometry: KvGeometry, dtype: KvCacheDtype): number {
  return (kvCacheBytes(geometry, 1, dtype) * (geometry.numLayers + 1)) / geometry.numLayers;
}

/**
 * Throws LoadContextTooLarge when a cache for `contextLength` positions would not fit the budget. When the float32
 * cache does not fit and the 8-bit one would, the hint says so first.
 */
export function assertKvCacheFits(
  geometry: KvGeometry,
  contextLength: number,
  budgetBytes: number,
  dtype: KvCacheDtype = 'float32',
): void {
  const perPosition = kvBytesPerToken(geometry, dtype);
  const needed = perPosition * contextLength;
  if (needed <= budgetBytes) return;
  const fits = Math.floor(budgetBytes / perPosition);
  const int8Fits = dtype === 'float32' && kvBytesPerToken(geometry, 'int8') * contextLength <= budgetBytes;
  const int8 = 'The 8-bit KV cache (int8) fits this context';
  const hint =
    fits > 0
      ? int8Fits
        ? `${int8}; or choose a context of at most ${fits} tokens, or close other programs to free memory.`
        : `Choose a context of at most ${fits} tokens, or close other programs to free memory.`
      : int8Fits
        ? `${int8}; or close other programs to free memory, or choose a smaller model.`
        : 'Close other programs to free memory, or choose a smaller model.';
  throw new EngineError(
    EngineErrorCode.LoadContextTooLarge,
    `A context of ${contextLength} tokens needs ${(needed / GIB).toFixed(2)} GiB of KV cache, more than the ${(budgetBytes / GIB).toFixed(2)} GiB available.`,
    hint,
  );
}

import { freemem } from 'node:os';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { kvCacheBytes, type KvCacheDtype, type KvGeometry } from './kvCache';

/** Share of the free memory the weights and KV cache may take; the rest is left to the system and ORT. */
const FREE_MEMORY_SHARE = 0.8;
const GIB = 1024 ** 3;

/** The default KV budget: most of the free memory, less what the weights will take. */
export function defaultKvBudgetBytes(weightBytes: number, freeBytes = freemem()): number {
  return Math.max(0, freeBytes * FREE_MEMORY_SHARE - weightBytes);
}

/**
 * Throws ContextTooLarge when a cache for `contextLength` positions would not fit the budget. The need counts
 * one extra layer: growing the cache briefly holds a layer's old and new buffers.
 */
export function assertKvCacheFits(geometry: KvGeometry, contextLength: number, budgetBytes: number, dtype: KvCacheDtype = 'float32'): void {
  const perPosition = kvCacheBytes(geometry, 1, dtype) * (1 + 1 / geometry.numLayers);
  const needed = perPosition * contextLength;
  if (needed <= budgetBytes) return;
  const fits = Math.floor(budgetBytes / perPosition);
  throw new EngineError(
    EngineErrorCode.ContextTooLarge,
    `A context of ${contextLength} tokens needs ${(needed / GIB).toFixed(2)} GiB of KV cache, more than the ${(budgetBytes / GIB).toFixed(2)} GiB available.`,
    fits > 0 ? `Choose a context of at most ${fits} tokens, or close other programs to free memory.` : 'Close other programs to free memory, or choose a smaller model.',
  );
}

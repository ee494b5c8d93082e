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
 * Most positions of the inline completions' KV sequence: the extension's longest completion prompt (its cursor
 * windows, repository and recent-edit snippets) and output, with room to spare. Longer prompts use the main one.
 */
export const COMPLETION_SEQUENCE_POSITIONS = 4096;
/** A completion sequence shorter than this would hold few of the extension's prompts: none is made. */
const MIN_COMPLETION_SEQUENCE = 1024;
const SEQUENCE_STEP = 64;

/**
 * Positions of the completion sequence beside a main sequence of `contextLength`: what the budget leaves once the
 * main one fits, up to COMPLETION_SEQUENCE_POSITIONS and the context. 0 (completions share the main sequence, as
 * they did with one) when that is under MIN_COMPLETION_SEQUENCE: the main context always comes first.
 */
export function completionSequenceLength(
  geometry: KvGeometry,
  contextLength: number,
  budgetBytes: number,
  dtype: KvCacheDtype = 'float32',
): number {
  const perPosition = kvBytesPerToken(geometry, dtype);
  const left = Math.floor((budgetBytes - perPosition * contextLength) / perPosition / SEQUENCE_STEP) * SEQUENCE_STEP;
  const length = Math.min(COMPLETION_SEQUENCE_POSITIONS, contextLength, left);
  return length >= Math.min(MIN_COMPLETION_SEQUENCE, contextLength) ? length : 0;
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

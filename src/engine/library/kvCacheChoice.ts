/**
 * Which KV cache a model is loaded with: what the user chose, or for `auto` the engine's rule. Pure, so the
 * fit the picker shows, the default context and the loader agree, and tests pin the rule to exact numbers.
 */
import type { KvCacheChoice, KvCacheDtype } from '../../shared/protocol';
import { kvBytesPerToken } from '../onnx/kvBudget';
import type { KvGeometry } from '../onnx/kvCache';

/** auto serves contexts up to this many positions with the float32 cache, when it fits. */
export const AUTO_FLOAT32_MAX_CONTEXT = 4096;

/**
 * The cache to serve `contextLength` positions with, given `kvBudgetBytes` for it. An explicit choice is kept
 * (the loader then says when it does not fit). `auto` picks float32 when the context is at most 4,096
 * positions and its float32 cache fits the budget, and int8 otherwise: above 4,096 positions, or when only
 * int8 fits (or neither does: int8 then needs the least, and the loader's error says by how much).
 *
 * Why 4,096: measured on the Qwen3-0.6B geometry (three runs each), int8 decodes 0–20% slower at short depth
 * (23.0–25.4 vs 24.4–28.8 tokens/s: more, smaller ops per layer), while at 8,192 cached positions it is
 * 1.4–1.8× faster (12.4–13.4 vs 7.4–8.8 tokens/s) as well as 3.8× smaller. float32 is exact, so it is kept
 * where the context stays short enough for the difference not to matter.
 */
export function chooseKvCache(
  choice: KvCacheChoice,
  geometry: KvGeometry,
  contextLength: number,
  kvBudgetBytes: number,
): KvCacheDtype {
  if (choice !== 'auto') return choice;
  const float32Fits = kvBytesPerToken(geometry, 'float32') * contextLength <= kvBudgetBytes;
  return contextLength <= AUTO_FLOAT32_MAX_CONTEXT && float32Fits ? 'float32' : 'int8';
}

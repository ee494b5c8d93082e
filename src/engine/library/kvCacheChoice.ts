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
 * The cache for `contextLength` positions within `kvBudgetBytes`; an explicit choice is kept. `auto` takes the
 * exact float32 cache up to AUTO_FLOAT32_MAX_CONTEXT positions when it fits, else int8 (a bit slower at short
 * depth, faster and smaller at long ones; the least memory when neither fits, so the loader's error says by how much).
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

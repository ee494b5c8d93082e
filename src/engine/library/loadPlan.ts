import type { KvCacheChoice, KvCacheDtype, MachineMemory, ModelFit, WeightQuantization } from '../../shared/protocol';
import type { ModelConfig } from '../checkpoint/modelConfig';
import { defaultKvBudgetBytes } from '../onnx/kvBudget';
import { kvMemoryBudget, MIN_USEFUL_CONTEXT } from './hardwareFit';
import { chooseKvCache } from './kvCacheChoice';
import { checkpointFit, nativeContextOf } from './modelFit';

export interface LoadPlanRequest {
  quantization: WeightQuantization;
  kvCache: KvCacheChoice;
  /** Positions to serve; left out, the fit's default context with the cache it was sized for. */
  contextLength?: number;
  /** Overrides the budget read from the memory (tests and benchmarks). */
  kvBudgetBytes?: number;
}

/** How a model is loaded: its context, KV cache and budget, all from one reading of the machine. */
export interface LoadPlan {
  contextLength: number;
  /** auto settled: the loader takes this one, not auto again. */
  kvCache: KvCacheDtype;
  /** What weights and KV cache may take: the decoder checks its cache against it, the prefix cache gets the rest. */
  kvBudgetBytes: number;
  /** The reading every number here comes from. */
  memory: MachineMemory;
  /** The fit at that reading (its numbers are for the default context). */
  fit: ModelFit;
}

/**
 * The one place a load's fit, KV cache, context and budget are worked out. Without a context length the fit's
 * default is taken, or when none fits the smallest useful one (the native length if shorter), so the decoder's
 * memory check says why it fails. With one, auto picks the cache for it against the memory less the runtime's reserve.
 */
export function planLoad(config: ModelConfig, memory: MachineMemory, request: LoadPlanRequest): LoadPlan {
  const fit = checkpointFit(config, memory, request.quantization, request.kvCache);
  const kvBudgetBytes = request.kvBudgetBytes ?? defaultKvBudgetBytes(fit.weightBytes, memory.freeBytes);
  if (request.contextLength === undefined) {
    const contextLength =
      fit.defaultContext > 0 ? fit.defaultContext : Math.min(nativeContextOf(config), MIN_USEFUL_CONTEXT);
    return { contextLength, kvCache: fit.kvCache, kvBudgetBytes, memory, fit };
  }
  const { contextLength } = request;
  const kvCache = chooseKvCache(
    request.kvCache,
    config,
    contextLength,
    request.kvBudgetBytes ?? kvMemoryBudget(fit.weightBytes, memory.freeBytes),
  );
  return { contextLength, kvCache, kvBudgetBytes, memory, fit };
}

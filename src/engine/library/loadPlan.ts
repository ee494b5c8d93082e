import type { KvCacheChoice, LoadPlan, MachineMemory, ModelFit, WeightQuantization } from '../../shared/protocol';
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

/** A load's plan, and the fit at the same reading (its numbers are for the default context). */
export interface PlannedLoad {
  plan: LoadPlan;
  fit: ModelFit;
}

/**
 * What of a plan's KV budget the optional caches (the completion sequence, the prefix cache) may take: never the
 * runtime's reserve of the memory it was read from, which the fit's contexts leave free. A smaller budget the
 * request gave stands.
 */
export function optionalKvBudget(plan: LoadPlan, weightBytes: number): number {
  return Math.min(plan.kvBudgetBytes, Math.floor(kvMemoryBudget(weightBytes, plan.memory.freeBytes)));
}

/**
 * The one place a load's fit, KV cache, context and budget (whole bytes) are worked out. Without a context
 * length the fit's default is taken, or when none fits the smallest useful one (the native length if shorter), so
 * the decoder's memory check says why it fails. With one, auto picks its cache against the memory less the reserve.
 */
export function planLoad(config: ModelConfig, memory: MachineMemory, request: LoadPlanRequest): PlannedLoad {
  const fit = checkpointFit(config, memory, request.quantization, request.kvCache);
  const kvBudgetBytes = request.kvBudgetBytes ?? Math.floor(defaultKvBudgetBytes(fit.weightBytes, memory.freeBytes));
  if (request.contextLength === undefined) {
    const contextLength =
      fit.defaultContext > 0 ? fit.defaultContext : Math.min(nativeContextOf(config), MIN_USEFUL_CONTEXT);
    return { plan: { contextLength, kvCache: fit.kvCache, kvBudgetBytes, memory }, fit };
  }
  const { contextLength } = request;
  const kvCache = chooseKvCache(
    request.kvCache,
    config,
    contextLength,
    request.kvBudgetBytes ?? kvMemoryBudget(fit.weightBytes, memory.freeBytes),
  );
  return { plan: { contextLength, kvCache, kvBudgetBytes, memory }, fit };
}

/**
 * Will a model fit this machine, and with how much context? Pure arithmetic over memory sizes, so the
 * picker, `hearth doctor` and the loader's warning agree, and tests can pin it to fixed numbers.
 *
 * Memory the model needs = converted weights + KV cache (grows with the context; float32 or int8, see
 * kvCacheChoice.ts) + the runtime.
 * The engine's own KV budget (onnx/kvBudget.ts) allows 80% of free memory for weights and cache; this
 * also keeps RUNTIME_RESERVE_BYTES aside for ONNX Runtime's buffers and the rest of the process, so a
 * context recommended here is always one the loader accepts.
 */
import type {
  KvCacheChoice,
  KvCacheDtype,
  MachineMemory,
  ModelFit,
  ModelFitVerdict,
  WeightQuantization,
} from '../../shared/protocol';
import { defaultKvBudgetBytes, kvBytesPerToken } from '../onnx/kvBudget';
import type { KvGeometry } from '../onnx/kvCache';
import { chooseKvCache } from './kvCacheChoice';

const GIB = 1024 ** 3;
/** The engine's share of free memory for weights and KV cache (0.8), read from its own budget rule. */
const FREE_MEMORY_SHARE = defaultKvBudgetBytes(0, 1);
export const RUNTIME_RESERVE_BYTES = GIB;
/** Below this a coding assistant cannot hold a file and a question: the model does not fit. */
export const MIN_USEFUL_CONTEXT = 4096;
/** The default budget stops here even when more fits: prefill time grows with it, and most work needs less. */
export const DEFAULT_CONTEXT_CAP = 32_768;

/** Bytes per weight after conversion: MatMulNBits codes plus one fp32 scale per block of 32. */
const BYTES_PER_PARAMETER: Readonly<Record<WeightQuantization, number>> = {
  int8: 1 + 4 / 32,
  int4: 0.5 + 4 / 32,
  fp32: 4,
};

export function estimatedWeightBytes(parameters: number, quantization: WeightQuantization): number {
  return Math.round(parameters * BYTES_PER_PARAMETER[quantization]);
}

export interface FitInput {
  memory: MachineMemory;
  /** The converted weights (decoderWeightBytes for a checkpoint, estimatedWeightBytes for a catalogue entry). */
  weightBytes: number;
  kv: KvGeometry;
  /** Positions the model was trained for. */
  nativeContext: number;
  /** The most it can be stretched to (with YaRN); default the native context. */
  maxContext?: number;
  /** auto: the cache a load without a context length would get (chooseKvCache at the default context). */
  kvCache: KvCacheChoice;
}

/** Memory the KV cache may take now: the engine's budget (80% of free memory less the weights) less the runtime's reserve. */
export function kvMemoryBudget(weightBytes: number, freeBytes: number): number {
  return Math.max(0, defaultKvBudgetBytes(weightBytes, freeBytes) - RUNTIME_RESERVE_BYTES);
}

export function hardwareFit(input: FitInput): ModelFit {
  const { memory, weightBytes, kv, nativeContext } = input;
  const kvBudget = kvMemoryBudget(weightBytes, memory.freeBytes);
  const target = Math.min(nativeContext, DEFAULT_CONTEXT_CAP);
  const contexts = (kvCache: KvCacheDtype) => {
    const bytesPerToken = kvBytesPerToken(kv, kvCache);
    const largestContext = Math.min(Math.floor(kvBudget / bytesPerToken), input.maxContext ?? nativeContext);
    const defaultContext =
      largestContext < MIN_USEFUL_CONTEXT ? 0 : 2 ** Math.floor(Math.log2(Math.min(largestContext, target)));
    return { kvCache, bytesPerToken, largestContext, defaultContext };
  };
  const int8 = contexts('int8');
  // auto's default context is int8's (the longer one); chooseKvCache keeps float32 only where that is short.
  const kvCache = chooseKvCache(
    input.kvCache,
    kv,
    int8.defaultContext > 0 ? int8.defaultContext : Math.min(nativeContext, MIN_USEFUL_CONTEXT),
    kvBudget,
  );
  const { bytesPerToken, largestContext, defaultContext } = kvCache === 'int8' ? int8 : contexts(kvCache);
  const verdict: ModelFitVerdict =
    largestContext < MIN_USEFUL_CONTEXT ? 'does-not-fit' : largestContext < target ? 'tight' : 'fits';
  const fit = { verdict, largestContext, defaultContext, weightBytes, bytesPerToken, kvCache };
  return {
    ...fit,
    message: describeFit(
      fit,
      memory,
      kvCache === 'float32' && int8.defaultContext > 0 ? int8.largestContext : undefined,
    ),
  };
}

/** The free memory a model needs for `context` tokens (the inverse of hardwareFit). */
export function freeMemoryNeeded(weightBytes: number, bytesPerToken: number, context: number): number {
  return (weightBytes + RUNTIME_RESERVE_BYTES + bytesPerToken * context) / FREE_MEMORY_SHARE;
}

/** `int8Context`: what the 8-bit cache would fit, when float32 was asked for and int8 fits a useful context. */
function describeFit(fit: Omit<ModelFit, 'message'>, memory: MachineMemory, int8Context: number | undefined): string {
  const weights = `${formatMemory(fit.weightBytes)} of weights`;
  const free = `${formatMemory(memory.freeBytes)} free memory`;
  const cache = fit.kvCache === 'int8' ? ' (8-bit KV cache)' : '';
  if (fit.verdict === 'fits') {
    return `Fits: ${weights} and up to ${tokens(fit.largestContext)} of context${cache} in ${free}; default context ${tokens(fit.defaultContext)}.`;
  }
  const int8Remedy = int8Context === undefined ? '' : ` An 8-bit KV cache would fit up to ${tokens(int8Context)}.`;
  if (fit.verdict === 'tight') {
    return `Tight: beside ${weights}, only ${tokens(fit.largestContext)} of context${cache} fit in ${free}; default context ${tokens(fit.defaultContext)}. Close other programs for more.${int8Remedy}`;
  }
  const needed = freeMemoryNeeded(fit.weightBytes, fit.bytesPerToken, MIN_USEFUL_CONTEXT);
  const remedy =
    needed <= memory.totalBytes
      ? 'Close other programs to free memory, or choose a smaller model or int4 weights.'
      : 'This machine has too little memory for it: choose a smaller model (Qwen/Qwen3-0.6B-FP8) or int4 weights.';
  return `Does not fit: ${weights} and a ${MIN_USEFUL_CONTEXT.toLocaleString('en-US')}-token context${cache} need ${formatMemory(needed)} free memory; ${formatMemory(memory.freeBytes)} is free.${int8Remedy || ` ${remedy}`}`;
}

/** Memory sizes in binary units, as the OS's memory tools show them. */
export function formatMemory(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function tokens(count: number): string {
  return `${count.toLocaleString('en-US')} tokens`;
}

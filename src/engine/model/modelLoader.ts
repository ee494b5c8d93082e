import type { KvCacheChoice, LoadPlan, MachineMemory, WeightQuantization } from '../../shared/protocol';
import { openCheckpoint } from '../checkpoint/checkpoint';
import { assertNotPartialDownload } from '../library/downloadMarker';
import type { ModelConfig } from '../checkpoint/modelConfig';
import type { GenerationConfig } from '../checkpoint/generationConfig';
import { writeDecoderModelBeside } from '../onnx/decoderModel';
import { convertDecoderWeights, decoderWeightBytes } from '../onnx/decoderWeights';
import { completionSequenceLength } from '../onnx/kvBudget';
import { optionalKvBudget, planLoad } from '../library/loadPlan';
import { machineMemory } from '../library/machineInfo';
import { checkDecoderContext, OnnxDecoder, type OnnxDecoderLoadOptions } from '../onnx/onnxDecoder';
import type { ConvertedWeights } from './convertedWeights';
import { ConvertedWeightsCache } from './convertedWeightsCache';

export interface LoadModelOptions {
  /** int8 (default: +0.5% error over FP8's own), int4 (faster, ~9% error) or fp32 (small models, exactness tests). */
  quantization: WeightQuantization;
  /** The load's context, KV cache and budget (planLoad), used unchanged; the three options below are then ignored. */
  plan?: LoadPlan;
  /** Positions to serve; default the model's native length. Beyond it, YaRN scales RoPE to cover it. */
  contextLength?: number;
  /**
   * The KV cache: float32 (default, exact), int8 (3.8× smaller; see OnnxDecoderLoadOptions), or auto
   * (chooseKvCache at the context, with the memory free now). The decoder reports the dtype it got.
   */
  kvCache?: KvCacheChoice;
  kvBudgetBytes?: number;
  /**
   * Whether inline completions get a KV sequence of their own beside the main one, as much as the budget leaves
   * (default true); false for a model that serves completions only, whose main sequence is theirs.
   */
  completionSequence?: boolean;
  threads?: number;
  /** Where converted weights are kept; default under the user's cache folder. */
  cacheDir?: string;
  /** Told why a cached conversion was discarded (corrupt, cut short) before it is converted again. */
  onCacheDiscard?: (path: string, reason: string) => void;
  /** The machine's memory, for a load without a plan; default read when the checkpoint is opened. */
  memory?: MachineMemory;
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

export type LoadProgress =
  { phase: 'converting'; bytesDone: number; bytesTotal: number; tensor: string } | { phase: 'loading' };

export interface LoadStats {
  /** The weights were converted in this load (false: taken from the cache). */
  converted: boolean;
  conversionMs: number;
  /** Opening the session: graph optimisation and memory-mapping the converted weights. */
  sessionMs: number;
  weightBytes: number;
  weightsPath: string;
}

export interface LoadedModel {
  dir: string;
  config: ModelConfig;
  generationConfig: GenerationConfig | undefined;
  decoder: OnnxDecoder;
  /** The converted weights the session reads (for tools that build other graphs over them). */
  weights: ConvertedWeights;
  /** What it was loaded with. */
  plan: LoadPlan;
  stats: LoadStats;
}

export interface ConvertedCheckpoint {
  dir: string;
  config: ModelConfig;
  generationConfig: GenerationConfig | undefined;
  weights: ConvertedWeights;
  /** Converted now (false: found in the cache). */
  converted: boolean;
  conversionMs: number;
}

/**
 * Validates a Hugging Face checkpoint folder and makes sure its converted weights are in the cache: FP8 blocks
 * → MatMulNBits (or fp32), written atomically, keyed by the checkpoint's identity, reused when present.
 */
export async function convertCheckpoint(
  dir: string,
  options: Pick<LoadModelOptions, 'quantization' | 'cacheDir' | 'onCacheDiscard' | 'onProgress' | 'signal'> & {
    /** Runs once the checkpoint is validated, before any conversion: a load that cannot succeed throws here. */
    beforeConversion?: (config: ModelConfig) => void;
  },
): Promise<ConvertedCheckpoint> {
  // An interrupted download is refused with how to resume it, even where its config.json is in place already.
  assertNotPartialDownload(dir);
  const checkpoint = openCheckpoint(dir);
  try {
    const { config } = checkpoint;
    options.beforeConversion?.(config);
    const cache = new ConvertedWeightsCache(options.cacheDir, { onDiscard: options.onCacheDiscard });
    const key = cache.keyFor(checkpoint.identity(), options.quantization);
    const started = performance.now();
    let weights = await cache.lookup(key);
    const converted = weights === undefined;
    if (weights === undefined) {
      const bytesTotal = decoderWeightBytes(config, options.quantization);
      weights = await cache.write(
        key,
        convertDecoderWeights(checkpoint, options.quantization),
        ({ bytesWritten, name }) =>
          options.onProgress?.({ phase: 'converting', bytesDone: bytesWritten, bytesTotal, tensor: name }),
        options.signal,
      );
    }
    return {
      dir: checkpoint.dir,
      config,
      generationConfig: checkpoint.generationConfig,
      weights,
      converted,
      conversionMs: performance.now() - started,
    };
  } finally {
    checkpoint.close();
  }
}

/**
 * Opens a checkpoint folder for generation: converts its weights if the cache lacks them, builds the graph
 * beside them and opens an ONNX Runtime session with a KV cache sized for the context.
 */
export async function loadModel(dir: string, options: LoadModelOptions): Promise<LoadedModel> {
  // The context is checked before a conversion that can take minutes, not after it.
  let plan: LoadPlan | undefined;
  const {
    config,
    generationConfig,
    weights,
    converted,
    conversionMs,
    dir: checkpointDir,
  } = await convertCheckpoint(dir, {
    ...options,
    beforeConversion: (checkpointConfig) => {
      plan = options.plan ?? ownPlan(checkpointConfig, options);
      checkDecoderContext(checkpointConfig, decoderOptions(plan, options.quantization));
    },
  });
  const loadPlan = plan!;
  const weightBytes = decoderWeightBytes(config, options.quantization);
  options.signal?.throwIfAborted();
  options.onProgress?.({ phase: 'loading' });
  const sessionStarted = performance.now();
  const decoder = await OnnxDecoder.load(
    writeDecoderModelBeside(config, options.quantization, weights, loadPlan.kvCache),
    config,
    {
      ...decoderOptions(loadPlan, options.quantization),
      ...(options.threads !== undefined && { threads: options.threads }),
      completionLength:
        options.completionSequence === false
          ? 0
          : completionSequenceLength(
              config,
              loadPlan.contextLength,
              optionalKvBudget(loadPlan, weightBytes),
              loadPlan.kvCache,
            ),
    },
  );
  return {
    dir: checkpointDir,
    config,
    generationConfig,
    decoder,
    weights,
    plan: loadPlan,
    stats: {
      converted,
      conversionMs,
      sessionMs: performance.now() - sessionStarted,
      weightBytes,
      weightsPath: weights.path,
    },
  };
}

/** The plan of a load given none: the options' context (default native) and cache (default float32). */
function ownPlan(config: ModelConfig, options: LoadModelOptions): LoadPlan {
  return planLoad(config, options.memory ?? machineMemory(), {
    quantization: options.quantization,
    kvCache: options.kvCache ?? 'float32',
    contextLength: options.contextLength ?? config.maxPositionEmbeddings,
    ...(options.kvBudgetBytes !== undefined && { kvBudgetBytes: options.kvBudgetBytes }),
  }).plan;
}

function decoderOptions(plan: LoadPlan, quantization: WeightQuantization): OnnxDecoderLoadOptions {
  return {
    quantization,
    contextLength: plan.contextLength,
    kvCacheDtype: plan.kvCache,
    kvBudgetBytes: plan.kvBudgetBytes,
  };
}

import type { KvCacheChoice, MachineMemory, ModelFit, WeightQuantization } from '../../shared/protocol';
import type { ModelConfig } from '../checkpoint/modelConfig';
import type { CatalogueModel } from './modelCatalogue';
import { decoderWeightBytes } from '../onnx/decoderWeights';
import { estimatedWeightBytes, hardwareFit } from './hardwareFit';

/** Fit of a model not downloaded yet, from the catalogue's architecture facts (for the picker). */
export function catalogueModelFit(
  model: CatalogueModel,
  memory: MachineMemory,
  quantization: WeightQuantization,
  kvCache: KvCacheChoice,
): ModelFit {
  const { architecture } = model;
  return hardwareFit({
    memory,
    weightBytes: estimatedWeightBytes(architecture.parameters, quantization),
    kv: architecture,
    nativeContext: model.nativeContext,
    maxContext: model.yarnContext ?? model.nativeContext,
    kvCache,
  });
}

/** Fit of a checkpoint on disk, from its config.json: the converted weights' exact size. */
export function checkpointFit(
  config: ModelConfig,
  memory: MachineMemory,
  quantization: WeightQuantization,
  kvCache: KvCacheChoice,
): ModelFit {
  const scaling = config.ropeScaling;
  return hardwareFit({
    memory,
    weightBytes: decoderWeightBytes(config, quantization),
    kv: config,
    nativeContext: nativeContextOf(config),
    maxContext:
      scaling === undefined
        ? config.maxPositionEmbeddings
        : Math.max(config.maxPositionEmbeddings, scaling.factor * scaling.originalMaxPositionEmbeddings),
    kvCache,
  });
}

/** The positions a config.json says the model was trained for (YaRN's original length when it is scaled). */
export function nativeContextOf(config: ModelConfig): number {
  return config.ropeScaling?.originalMaxPositionEmbeddings ?? config.maxPositionEmbeddings;
}

import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  EngineErrorCode,
  type KvCacheChoice,
  type MachineMemory,
  type ModelFit,
  type WeightQuantization,
} from '../../shared/protocol';
import { CheckpointError, NOT_FOUND_HINT } from '../checkpoint/checkpointError';
import { readJsonFile } from '../checkpoint/checkpointFiles';
import type { ModelConfig } from '../checkpoint/modelConfig';
import { parseModelConfig } from '../checkpoint/modelConfigParser';
import { assertNotPartialDownload } from './downloadMarker';
import { checkpointFit } from './modelFit';

export interface LocalModelFit {
  /** The folder, resolved. */
  dir: string;
  config: ModelConfig;
  fit: ModelFit;
}

/**
 * The fit of a checkpoint folder from its config.json alone (the weights are not opened: a picker asks this of
 * a folder the user just chose, and the load that follows validates the tensors). Throws what opening the
 * folder as a model would: ModelNotFound, CheckpointInvalid for an unfinished download, UnsupportedModel.
 */
export function localModelFit(
  dir: string,
  memory: MachineMemory,
  quantization: WeightQuantization,
  kvCache: KvCacheChoice,
): LocalModelFit {
  const root = resolve(dir);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CheckpointError(
      'is not a folder',
      { file: root },
      { code: EngineErrorCode.ModelNotFound, hint: NOT_FOUND_HINT },
    );
  }
  assertNotPartialDownload(root);
  const configFile = join(root, 'config.json');
  const config = readJsonFile(configFile);
  if (config === undefined) {
    throw new CheckpointError(
      'is missing: this is not a Hugging Face checkpoint folder',
      { file: configFile },
      { code: EngineErrorCode.ModelNotFound, hint: NOT_FOUND_HINT },
    );
  }
  const modelConfig = parseModelConfig(config.json, configFile);
  return { dir: root, config: modelConfig, fit: checkpointFit(modelConfig, memory, quantization, kvCache) };
}

/** The positions a config.json says the model was trained for (YaRN's original length when it is scaled). */
export function nativeContextOf(config: ModelConfig): number {
  return config.ropeScaling?.originalMaxPositionEmbeddings ?? config.maxPositionEmbeddings;
}

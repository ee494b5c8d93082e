import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EngineErrorCode, type MachineMemory } from '../../shared/protocol';
import { CheckpointError, NOT_FOUND_HINT } from '../checkpoint/checkpointError';
import { readJsonFile } from '../checkpoint/checkpointFiles';
import type { ModelConfig } from '../checkpoint/modelConfig';
import { parseModelConfig } from '../checkpoint/modelConfigParser';
import { assertNotPartialDownload } from './downloadMarker';
import { planLoad, type LoadPlanRequest, type PlannedLoad } from './loadPlan';

export interface LocalModelFit extends PlannedLoad {
  /** The folder, resolved. */
  dir: string;
  config: ModelConfig;
}

/**
 * The fit and load plan of a checkpoint folder from its config.json alone (the weights are not opened: the load
 * that follows validates the tensors). Throws what opening the folder as a model would: ModelNotFound,
 * CheckpointInvalid for an unfinished download, UnsupportedModel.
 */
export function localModelFit(dir: string, memory: MachineMemory, request: LoadPlanRequest): LocalModelFit {
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
  return { dir: root, config: modelConfig, ...planLoad(modelConfig, memory, request) };
}

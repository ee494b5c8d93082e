import type { KvCacheChoice, WeightQuantization } from '../../shared/protocol';
import { openCheckpoint } from '../checkpoint/checkpoint';
import { defaultModelDir } from '../library/downloadLayout';
import { assertNotPartialDownload } from '../library/downloadMarker';
import { formatDiskSize } from '../library/diskSpace';
import { DEFAULT_MODEL_REPO, findCatalogueModel } from '../library/modelCatalogue';
import { machineMemory } from '../library/machineInfo';
import type { LoadPlan } from '../../shared/protocol';
import { planLoad } from '../library/loadPlan';
import { UsageError } from './cliCommand';

/** The environment variable that names the model folder when --model is left out. */
export const MODEL_ENV = 'HEARTH_MODEL';

/** The model folder: --model, else $HEARTH_MODEL; with neither, a UsageError that says how to get one. */
export function resolveModelDir(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const dir = option ?? (env[MODEL_ENV] || undefined);
  if (dir === undefined) {
    const size = findCatalogueModel(DEFAULT_MODEL_REPO)?.approximateDownloadBytes;
    throw new UsageError(
      [
        `no model: give --model DIR or set ${MODEL_ENV}.`,
        `To get one${size === undefined ? '' : ` (about ${formatDiskSize(size)})`}:  hearth download ${DEFAULT_MODEL_REPO}`,
        `then pass:  --model "${defaultModelDir(DEFAULT_MODEL_REPO)}"`,
        'Or see the whole pipeline run on a tiny random model:  hearth explain --demo',
      ].join('\n'),
    );
  }
  // An interrupted download is refused here, with how to resume it, rather than failing on a missing shard.
  assertNotPartialDownload(dir);
  return dir;
}

/**
 * The context and KV cache to load with when --context is left out: what fits this machine's free memory now,
 * as `hearth doctor` and the engine choose it (planLoad); load with both. Opening the checkpoint also
 * validates it, before any slow work that comes before the load.
 */
export function checkpointLoadContext(dir: string, quantization: WeightQuantization, kvCache: KvCacheChoice): LoadPlan {
  const checkpoint = openCheckpoint(dir);
  try {
    const { config } = checkpoint;
    return planLoad(config, machineMemory(), { quantization, kvCache }).plan;
  } finally {
    checkpoint.close();
  }
}

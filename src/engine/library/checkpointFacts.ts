import { statSync } from 'node:fs';
import { openCheckpoint } from '../checkpoint/checkpoint';
import { locateWeightFiles } from '../checkpoint/checkpointFiles';
import type { ModelConfig } from '../checkpoint/modelConfig';
import { downloadStatus, readDownloadMarker, type DownloadStatus } from './downloadMarker';
import { ChatTemplate } from '../text/chatTemplate';
import type { ModelKind } from '../../shared/protocol';

/** What `hearth doctor` says about a checkpoint folder. */
export interface CheckpointFacts {
  dir: string;
  config: ModelConfig;
  /** From the chat template; undefined when the folder has none that renders. */
  kind: ModelKind | undefined;
  /** Weights and biases, embeddings included; FP8 scales not counted. */
  parameters: number;
  /** The .safetensors files' total size. */
  weightFileBytes: number;
  /** Storage types of the weights, e.g. ["BF16", "F8_E4M3"]. */
  dtypes: string[];
  download: DownloadStatus;
  /** For a complete download: where it came from. */
  source?: { repo: string; commit: string };
}

/** Opens (and so validates) the checkpoint; throws its CheckpointError when the folder is not usable. */
export function checkpointFacts(dir: string): CheckpointFacts {
  const download = downloadStatus(dir);
  const marker = download === 'complete' ? readDownloadMarker(dir) : undefined;
  const checkpoint = openCheckpoint(dir);
  try {
    let parameters = 0;
    const dtypes = new Set<string>();
    for (const name of checkpoint.tensorNames()) {
      if (name.endsWith('_scale_inv')) continue;
      parameters += checkpoint.shape(name).reduce((a, b) => a * b, 1);
      dtypes.add(checkpoint.dtype(name));
    }
    return {
      dir: checkpoint.dir,
      config: checkpoint.config,
      kind: templateKind(dir),
      parameters,
      weightFileBytes: locateWeightFiles(dir).files.reduce((sum, file) => sum + statSync(file).size, 0),
      dtypes: [...dtypes].sort(),
      download,
      ...(marker !== undefined && { source: { repo: marker.repo, commit: marker.commit } }),
    };
  } finally {
    checkpoint.close();
  }
}

function templateKind(dir: string): ModelKind | undefined {
  try {
    return ChatTemplate.load(dir).kind;
  } catch {
    return undefined;
  }
}

import { createHash } from 'node:crypto';
import type { KvCacheDtype } from '../../shared/protocol';
import { ENGINE_VERSION } from '../base/version';
import type { ModelConfig } from '../checkpoint/modelConfig';
import { ropeParameters } from '../onnx/yarnRope';
import { KV_SNAPSHOT_FORMAT } from './kvSnapshotFormat';

/** What the numbers in a snapshot depend on, beyond the tokens: a file made under any other is never used. */
export interface KvSnapshotKeyParts {
  /** The converted weights' key: the checkpoint's identity, the converter version and the weight quantization. */
  weightsKey: string;
  kvCacheDtype: KvCacheDtype;
  config: ModelConfig;
  /** Positions served: it decides whether YaRN scales RoPE (and by what factor). */
  contextLength: number;
  /** Default the running engine's. */
  engineVersion?: string;
}

/** SHA-256 (hex) of the key parts: the folder a model's snapshots live in, and the key in each file's header. */
export function kvSnapshotKey(parts: KvSnapshotKeyParts): string {
  const { config, contextLength } = parts;
  const rope = ropeParameters(config, contextLength);
  const material = JSON.stringify({
    format: KV_SNAPSHOT_FORMAT,
    engine: parts.engineVersion ?? ENGINE_VERSION,
    weights: parts.weightsKey,
    kv: parts.kvCacheDtype,
    geometry: [config.numLayers, config.numKvHeads, config.headDim],
    rope: { theta: config.ropeTheta, attentionScale: rope.attentionScale, yarn: rope.yarn ?? null },
  });
  return createHash('sha256').update(material).digest('hex');
}

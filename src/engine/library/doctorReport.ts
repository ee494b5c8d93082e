/**
 * The text of `hearth doctor`: what the machine is, what the model is, what fits, how fast it runs.
 * Pure formatting over facts gathered elsewhere, so the exact lines are testable.
 */
import type {
  KvCacheChoice,
  KvCacheDtype,
  ModelFit,
  RuntimeSelfCheckResult,
  WeightQuantization,
} from '../../shared/protocol';
import type { CheckpointFacts } from './checkpointFacts';
import { formatDiskSize } from './diskSpace';
import { formatMemory } from './hardwareFit';
import type { MachineInfo } from './machineInfo';

const KV_CACHE_LABEL: Readonly<Record<KvCacheChoice, string>> = { auto: 'auto', float32: 'fp32', int8: '8-bit' };

export interface DoctorFacts {
  machine: MachineInfo;
  cacheDir: string;
  /** Free space where models and converted weights go; undefined when it could not be read. */
  freeDiskBytes: number | undefined;
  runtime: RuntimeSelfCheckResult | { error: string };
  quantization: WeightQuantization;
  /** As asked (--kv); each fit's message names the 8-bit cache where it is the one used. */
  kvCache: KvCacheChoice;
  model?: CheckpointFacts;
  /** Converted weights of the model (decoderWeightBytes). */
  modelWeightBytes?: number;
  /** One fit per model: the given one, or each catalogue model. */
  fits: { label: string; fit: ModelFit }[];
  /** KV snapshots of shared prefixes under the cache folder, and what a clear removed first. */
  kvSnapshots?: KvSnapshotFacts;
  /** Measured with the KV cache the fit is for, which it names. */
  speed?: { tokensPerSecond: number; steps: number; threads: number; kvCache: KvCacheDtype } | { error: string };
}

export interface KvSnapshotFacts {
  /** `<cacheDir>/kv` */
  root: string;
  snapshots: {
    tokens: number | undefined;
    dtype: KvCacheDtype | undefined;
    bytes: number;
    /** The first characters of the key the snapshot was made under: snapshots of one model share it. */
    modelKey: string;
    lastUsedMs: number;
  }[];
  cleared?: { files: number; bytes: number };
}

export function formatDoctorReport(facts: DoctorFacts): string {
  const { machine } = facts;
  const lines = [
    'machine',
    row('cpu', `${machine.cpuModel}, ${machine.cores} logical cores`),
    row('memory', `${formatMemory(machine.memory.totalBytes)} total, ${formatMemory(machine.memory.freeBytes)} free`),
    row(
      'disk',
      facts.freeDiskBytes === undefined
        ? `free space unknown in ${facts.cacheDir}`
        : `${formatDiskSize(facts.freeDiskBytes)} free in ${facts.cacheDir}`,
    ),
    row('os', machine.os),
    row('node', machine.node),
    row(
      'onnxruntime',
      'error' in facts.runtime
        ? `FAILED: ${facts.runtime.error}`
        : `${facts.runtime.onnxruntime.version} (${facts.runtime.onnxruntime.backends.join(', ')})`,
    ),
  ];
  if (facts.model !== undefined) lines.push(...modelLines(facts.model, facts.quantization, facts.modelWeightBytes));
  lines.push(`fit (${facts.quantization} weights, ${KV_CACHE_LABEL[facts.kvCache]} KV cache)`);
  const width = Math.max(12, ...facts.fits.map((f) => f.label.length));
  for (const { label, fit } of facts.fits) lines.push(`  ${label.padEnd(width)}  ${fit.message}`);
  if (facts.speed !== undefined) {
    lines.push('speed');
    lines.push(
      'error' in facts.speed
        ? row('decode', `FAILED: ${facts.speed.error}`)
        : row(
            'decode',
            `${facts.speed.tokensPerSecond.toFixed(1)} tokens/s (${facts.speed.steps} steps, ${facts.quantization} weights, ${KV_CACHE_LABEL[facts.speed.kvCache]} KV cache, ${facts.speed.threads} threads)`,
          ),
    );
  }
  if (facts.kvSnapshots !== undefined) lines.push('cache', ...kvSnapshotLines(facts.kvSnapshots));
  return `${lines.join('\n')}\n`;
}

function kvSnapshotLines({ root, snapshots, cleared }: KvSnapshotFacts): string[] {
  const total = snapshots.reduce((sum, snapshot) => sum + snapshot.bytes, 0);
  const lines = [
    ...(cleared === undefined
      ? []
      : [row('cleared', `${cleared.files} KV snapshots, ${formatDiskSize(cleared.bytes)}`)]),
    row('kv snapshots', `${snapshots.length} in ${root}, ${formatDiskSize(total)}`),
  ];
  for (const snapshot of [...snapshots].sort((a, b) => b.lastUsedMs - a.lastUsedMs)) {
    const tokens = snapshot.tokens === undefined ? 'unreadable' : `${count(snapshot.tokens)} tokens`;
    const dtype = snapshot.dtype === undefined ? '' : ` ${KV_CACHE_LABEL[snapshot.dtype]}`;
    lines.push(
      `    ${tokens}${dtype}, ${formatDiskSize(snapshot.bytes)}, model ${snapshot.modelKey}, used ${new Date(snapshot.lastUsedMs).toISOString().slice(0, 16).replace('T', ' ')}`,
    );
  }
  return lines;
}

function modelLines(
  model: CheckpointFacts,
  quantization: WeightQuantization,
  weightBytes: number | undefined,
): string[] {
  const c = model.config;
  const source =
    model.download === 'complete' && model.source !== undefined
      ? `downloaded from ${model.source.repo} at ${model.source.commit.slice(0, 7)}, every file verified`
      : model.download === 'incomplete'
        ? 'an INCOMPLETE download: run hearth download again to finish it'
        : 'a local folder, not downloaded by Hearth';
  const context =
    c.ropeScaling === undefined
      ? `${count(c.maxPositionEmbeddings)} positions`
      : `${count(c.maxPositionEmbeddings)} positions (YaRN ×${c.ropeScaling.factor})`;
  return [
    'model',
    row('folder', model.dir),
    row('source', source),
    row(
      'architecture',
      `${c.architecture}, ${c.numLayers} layers, hidden ${c.hiddenSize}, ${c.numHeads} heads / ${c.numKvHeads} KV heads × ${c.headDim}, vocab ${c.vocabSize}`,
    ),
    row('kind', model.kind ?? 'unknown (no chat template)'),
    row('context', context),
    row(
      'weights',
      `${parameters(model.parameters)} parameters; ${formatDiskSize(model.weightFileBytes)} on disk (${model.dtypes.join(', ')})` +
        (weightBytes === undefined ? '' : `; ${formatMemory(weightBytes)} in memory as ${quantization}`),
    ),
  ];
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(12)}  ${value}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function parameters(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : `${(n / 1e6).toFixed(1)} M`;
}

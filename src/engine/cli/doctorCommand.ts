import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freeDiskBytes } from '../library/diskSpace';
import { MODEL_CATALOGUE } from '../library/modelCatalogue';
import {
  KV_CACHE_CHOICES,
  WEIGHT_QUANTIZATIONS,
  type KvCacheChoice,
  type WeightQuantization,
} from '../../shared/protocol';
import { checkpointFacts } from '../library/checkpointFacts';
import { formatDoctorReport, type DoctorFacts, type KvSnapshotFacts } from '../library/doctorReport';
import { clearKvSnapshots, kvSnapshotFolders, readKvSnapshotLayout } from '../generation/kvSnapshotListing';
import { machineInfo } from '../library/machineInfo';
import { catalogueModelFit, checkpointFit } from '../library/modelFit';
import { defaultCacheDir } from '../base/defaultCacheDir';
import { measureDecode } from '../model/decoderBenchmark';
import { loadModel, type LoadModelOptions } from '../model/modelLoader';
import { decoderWeightBytes } from '../onnx/decoderWeights';
import { runtimeSelfCheck } from '../base/runtimeSelfCheck';
import { parseChoice, parseIntegerOption, type CliCommand } from './cliCommand';
import { modelChoiceUsage, modelParseOptions } from './modelOptions';
import { ProgressLine } from './progressLine';

/** Decode steps timed for the speed line: enough to average out the first step, short enough to wait for. */
const SPEED_STEPS = 16;

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'describe this machine and a model: memory, the context that fits, measured tokens/s',
  usage: `hearth doctor [--model DIR] ${modelChoiceUsage} [--threads N] [--cache-dir DIR] [--no-speed] [--clear-kv-snapshots]`,
  async run(args, signal) {
    const { model, quantization, kv, threads, 'cache-dir': cacheDirOption } = modelParseOptions;
    const { values } = parseArgs({
      args,
      options: {
        model,
        quantization,
        kv,
        threads,
        'cache-dir': cacheDirOption,
        'no-speed': { type: 'boolean', default: false },
        'clear-kv-snapshots': { type: 'boolean', default: false },
      },
      strict: true,
    });
    const kvCache = parseChoice<KvCacheChoice>('kv', values.kv, KV_CACHE_CHOICES, 'auto');
    const options: LoadModelOptions = {
      quantization: parseChoice<WeightQuantization>('quantization', values.quantization, WEIGHT_QUANTIZATIONS, 'int8'),
      kvCache,
      ...(values.threads !== undefined && { threads: parseIntegerOption('threads', values.threads) }),
      ...(values['cache-dir'] !== undefined && { cacheDir: values['cache-dir'] }),
    };
    const cacheDir = options.cacheDir ?? defaultCacheDir();
    const snapshotRoot = join(cacheDir, 'kv');
    const cleared = values['clear-kv-snapshots'] ? clearKvSnapshots(snapshotRoot) : undefined;
    // Memory is read before anything is loaded: the fit is about this machine as the user finds it.
    const machine = machineInfo();
    const facts: DoctorFacts = {
      machine,
      cacheDir,
      freeDiskBytes: await freeDiskBytes(cacheDir).catch(() => undefined),
      runtime: await runtimeSelfCheck().catch((error: unknown) => ({ error: String(error) })),
      quantization: options.quantization,
      kvCache,
      fits: [],
      kvSnapshots: { root: snapshotRoot, snapshots: describeSnapshots(snapshotRoot), ...(cleared && { cleared }) },
    };
    if (values.model === undefined) {
      facts.fits = MODEL_CATALOGUE.map((entry) => ({
        label: entry.repo,
        fit: catalogueModelFit(entry, machine.memory, options.quantization, kvCache),
      }));
    } else {
      facts.model = checkpointFacts(values.model);
      facts.modelWeightBytes = decoderWeightBytes(facts.model.config, options.quantization);
      const fit = checkpointFit(facts.model.config, machine.memory, options.quantization, kvCache);
      facts.fits = [{ label: 'this model', fit }];
      // The speed is of the cache the fit names: auto at the speed test's short context would choose float32.
      if (!values['no-speed'] && fit.verdict !== 'does-not-fit')
        facts.speed = await measureSpeed(values.model, { ...options, kvCache: fit.kvCache }, signal);
    }
    process.stdout.write(formatDoctorReport(facts));
  },
};

/** Each stored KV snapshot, from its header. */
function describeSnapshots(root: string): KvSnapshotFacts['snapshots'] {
  return kvSnapshotFolders(root).flatMap(({ modelKey, files }) =>
    files.map((file) => {
      const layout = readKvSnapshotLayout(file.path);
      const header = 'invalid' in layout ? undefined : layout.header;
      return {
        tokens: header?.tokenCount,
        dtype: header?.dtype,
        bytes: file.bytes,
        modelKey: modelKey.slice(0, 12),
        lastUsedMs: file.lastUsedMs,
      };
    }),
  );
}

async function measureSpeed(
  dir: string,
  options: LoadModelOptions,
  signal: AbortSignal,
): Promise<DoctorFacts['speed']> {
  const progress = new ProgressLine('converting weights (once; later loads use the cache)');
  try {
    const model = await loadModel(dir, {
      ...options,
      contextLength: SPEED_STEPS + 64,
      onProgress: (p) => p.phase === 'converting' && progress.update(p.bytesDone, p.bytesTotal, 'B'),
      signal,
    });
    if (model.stats.converted) progress.done(`done in ${(model.stats.conversionMs / 1000).toFixed(1)} s`);
    try {
      const { tokensPerSecond } = await measureDecode(model.decoder, SPEED_STEPS);
      return {
        tokensPerSecond,
        steps: SPEED_STEPS,
        threads: options.threads ?? cpus().length,
        kvCache: model.decoder.kvCacheDtype,
      };
    } finally {
      await model.decoder.dispose();
    }
  } catch (error) {
    signal.throwIfAborted();
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

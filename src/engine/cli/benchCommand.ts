import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  measureDecode,
  measureDecodeAtDepth,
  measurePrefill,
  measureStepOverhead,
  measureTurns,
  type BenchMeasurement,
} from '../model/decoderBenchmark';
import { longContextCeiling, measureReadBandwidth } from '../model/readBandwidth';
import { loadModel } from '../model/modelLoader';
import { kvCacheBytes } from '../onnx/kvCache';
import { writeWeightMatmulsModel } from '../onnx/weightMatmulsGraph';
import { UsageError, type CliCommand } from './cliCommand';
import type { ConvertReport } from './convertCommand';
import { modelParseOptions, modelUsage, parseModelOptions } from './modelOptions';

const MIB = 1024 * 1024;
/** Flags `convert` does not take; `--depth` also takes the next argument. */
const BENCH_ONLY_FLAGS = ['--long', '--turns', '--json', '--depth'];
/** Positions the second model of `--turns` is loaded for: its steps stay short. */
const TURNS_CONTEXT = 512;

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'measure prompt processing and generation speed, llama-bench style (pp512, tg128, tg128 @ d8192)',
  usage: `hearth bench ${modelUsage} [--depth N]… [--long] [--turns] [--json]`,
  async run(args, signal) {
    const { values } = parseArgs({
      args,
      options: {
        ...modelParseOptions,
        depth: { type: 'string', multiple: true, default: ['8192'] },
        long: { type: 'boolean', default: false },
        turns: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const options = parseModelOptions(values);
    const depths = [...values.depth.map((depth) => parseDepth(depth)), ...(values.long ? [32768] : [])];

    // Conversion runs in its own process so that its peak memory (a one-time cost) is reported apart from
    // the memory the loaded model needs.
    const conversion = JSON.parse(
      execFileSync(
        process.execPath,
        [
          process.argv[1],
          'convert',
          ...args.filter((a, i) => !BENCH_ONLY_FLAGS.includes(a.split('=')[0]) && args[i - 1] !== '--depth'),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      ),
    ) as ConvertReport;

    const contextLength = options.contextLength ?? Math.max(...depths) + 256;
    const loadStarted = performance.now();
    const model = await loadModel(options.dir, { ...options, contextLength, signal });
    const loadMs = performance.now() - loadStarted;
    const rssAfterLoad = process.memoryUsage().rss;
    try {
      const threads = options.threads ?? cpus().length;
      // Short-context generation first: the cache keeps the capacity a longer run grew it to, and a step reads it all.
      const tg = await measureDecode(model.decoder, 128);
      const results: BenchMeasurement[] = [await measurePrefill(model.decoder, 512), tg];
      for (const depth of depths) {
        signal.throwIfAborted();
        if (depth + 129 > contextLength) {
          process.stderr.write(
            `skipping tg128 @ d${depth}: it needs a context of ${depth + 129}, the model was loaded with ${contextLength}\n`,
          );
          continue;
        }
        const { prefill, decode } = await measureDecodeAtDepth(model.decoder, 128, depth);
        results.push(prefill, decode);
      }
      // The high-water mark of serving, before the matmul-only session below maps a second copy of the weights.
      const peakRssBytes = process.resourceUsage().maxRSS * 1024;
      const overhead =
        options.quantization === 'fp32'
          ? { decodeStepMs: tg.medianStepMs!, weightMatmulsMs: undefined }
          : await measureStepOverhead(
              model.decoder,
              writeWeightMatmulsModel(model.config, options.quantization, model.weights),
              options.threads,
            );
      const readBandwidth = await measureReadBandwidth(options.threads);
      if (values.turns) {
        // A second copy of the model, loaded after peak RSS was read, takes turns with the first.
        const second = await loadModel(options.dir, { ...options, contextLength: TURNS_CONTEXT, signal });
        try {
          results.push(await measureTurns([model.decoder, second.decoder], 128));
        } finally {
          await second.decoder.dispose();
        }
      }
      const kvBytes = kvCacheBytes(model.config, contextLength, model.decoder.kvCacheDtype);
      const report = {
        model: options.dir,
        weights: options.quantization,
        kv: model.decoder.kvCacheDtype === 'float32' ? 'fp32' : model.decoder.kvCacheDtype,
        threads,
        results,
        // Median against median, measured side by side (tg128's median step is in results).
        ...overhead,
        readBytesPerSecond: readBandwidth,
        // The most each tg128 @ d could reach: tg128's step plus reading the cache's bytes at that depth.
        ceilings: results
          .filter((m) => m.depth !== undefined)
          .map((m) => ({
            test: m.test,
            ratio: longContextCeiling(
              tg.ms / tg.tokens,
              kvCacheBytes(model.config, m.depth!, model.decoder.kvCacheDtype),
              readBandwidth,
            ),
          })),
        conversion,
        loadMs,
        sessionMs: model.stats.sessionMs,
        weightBytes: model.stats.weightBytes,
        kvBytesAtContext: kvBytes,
        contextLength,
        rssAfterLoadBytes: rssAfterLoad,
        peakRssBytes,
      };
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    } finally {
      await model.decoder.dispose();
    }
  },
};

function formatReport(r: {
  model: string;
  weights: string;
  kv: string;
  threads: number;
  results: BenchMeasurement[];
  decodeStepMs: number;
  weightMatmulsMs: number | undefined;
  readBytesPerSecond: number;
  ceilings: { test: string; ratio: number }[];
  conversion: ConvertReport;
  loadMs: number;
  weightBytes: number;
  kvBytesAtContext: number;
  contextLength: number;
  rssAfterLoadBytes: number;
  peakRssBytes: number;
}): string {
  const rows = r.results.map(
    (m) =>
      `| ${r.weights.padEnd(7)} | ${r.kv.padEnd(4)} | ${String(r.threads).padStart(7)} | ${m.test.padEnd(14)} | ${m.tokensPerSecond.toFixed(2).padStart(9)} |`,
  );
  const tg = r.results.find((m) => m.test === 'tg128')!;
  const lines = [
    `model: ${r.model}`,
    '',
    '| weights | kv   | threads | test           |       t/s |',
    '| ------- | ---- | ------- | -------------- | --------- |',
    ...rows,
    '',
    ...r.ceilings.map(({ test, ratio }) => {
      const m = r.results.find((result) => result.test === test)!;
      return `${test}: ${(m.tokensPerSecond / tg.tokensPerSecond).toFixed(2)} × tg128 (ceiling ${ratio.toFixed(2)} ×: reading the KV cache at ${(r.readBytesPerSecond / 1e9).toFixed(1)} GB/s)`;
    }),
    ...r.results
      .filter((m) => m.test.endsWith('models'))
      .map(
        (m) =>
          `${m.test} taking turns: median step ${m.medianStepMs!.toFixed(1)} ms, one model alone ${tg.medianStepMs!.toFixed(1)} ms`,
      ),
    `decode step (median) ${r.decodeStepMs.toFixed(1)} ms` +
      (r.weightMatmulsMs === undefined
        ? ''
        : `; weight matmuls alone ${r.weightMatmulsMs.toFixed(1)} ms (step = ${(r.decodeStepMs / r.weightMatmulsMs).toFixed(2)} × matmuls)`),
    `conversion: ${r.conversion.converted ? `${(r.conversion.conversionMs / 1000).toFixed(1)} s, peak RSS ${(r.conversion.peakRssBytes / MIB).toFixed(0)} MiB` : 'cached'}`,
    `load: ${(r.loadMs / 1000).toFixed(2)} s; weights ${(r.weightBytes / MIB).toFixed(0)} MiB; KV cache at ${r.contextLength} positions ${(r.kvBytesAtContext / MIB).toFixed(0)} MiB`,
    `RSS after load ${(r.rssAfterLoadBytes / MIB).toFixed(0)} MiB; peak RSS ${(r.peakRssBytes / MIB).toFixed(0)} MiB = ${(r.peakRssBytes / (r.weightBytes + r.kvBytesAtContext)).toFixed(2)} × (weights + KV)`,
  ];
  return `${lines.join('\n')}\n`;
}

function parseDepth(text: string): number {
  const depth = Number(text);
  if (!Number.isSafeInteger(depth) || depth < 1)
    throw new UsageError(`--depth ${text}: give a whole number of positions, e.g. 8192.`);
  return depth;
}

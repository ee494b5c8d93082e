import { parseArgs } from 'node:util';
import { convertCheckpoint } from '../model/modelLoader';
import type { CliCommand } from './cliCommand';
import { modelParseOptions, modelUsage, parseModelOptions } from './modelOptions';
import { ProgressLine } from './progressLine';

/** What `hearth convert` prints (one JSON line); `hearth bench` reads it. */
export interface ConvertReport {
  converted: boolean;
  conversionMs: number;
  /** Peak resident memory of the converting process. */
  peakRssBytes: number;
  weightsPath: string;
}

export const convertCommand: CliCommand = {
  name: 'convert',
  summary: "convert a checkpoint's weights into the cache (FP8 → MatMulNBits int8/int4, or fp32); a no-op when cached",
  usage: `hearth convert ${modelUsage}`,
  async run(args, signal) {
    const { values } = parseArgs({ args, options: modelParseOptions, strict: true });
    const options = parseModelOptions(values);
    const progress = new ProgressLine(`converting to ${options.quantization}`);
    const result = await convertCheckpoint(options.dir, {
      ...options,
      onProgress: (p) => (p.phase === 'converting' ? progress.update(p.bytesDone, p.bytesTotal, 'B') : undefined),
      signal,
    });
    if (result.converted) progress.done(`done in ${(result.conversionMs / 1000).toFixed(1)} s`);
    const report: ConvertReport = {
      converted: result.converted,
      conversionMs: result.conversionMs,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      weightsPath: result.weights.path,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  },
};

import { parseArgs } from 'node:util';
import { writeSyntheticCheckpoint } from '../synthetic/syntheticCheckpoint';
import type { Architecture } from '../checkpoint/modelConfig';
import type { SyntheticDtype, SyntheticGeometryName } from '../synthetic/syntheticConfig';
import { parseChoice, parseIntegerOption, UsageError, type CliCommand } from './cliCommand';
import { ProgressLine } from './progressLine';

export const makeCheckpointCommand: CliCommand = {
  name: 'make-checkpoint',
  summary: 'write a synthetic Hugging Face checkpoint with seeded random weights (tests and benchmarks)',
  usage:
    'hearth make-checkpoint --out DIR --geometry tiny|0.6b|4b --dtype fp8|bf16|f32 [--seed N] [--arch qwen3|qwen2|llama] [--untied] [--shard-mb N]',
  async run(args, signal) {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        geometry: { type: 'string' },
        dtype: { type: 'string' },
        seed: { type: 'string' },
        arch: { type: 'string' },
        untied: { type: 'boolean', default: false },
        'shard-mb': { type: 'string' },
      },
      strict: true,
    });
    if (!values.out) throw new UsageError('--out is required.');
    const geometry = parseChoice<SyntheticGeometryName>('geometry', values.geometry, ['tiny', '0.6b', '4b']);
    const dtype = parseChoice<SyntheticDtype>('dtype', values.dtype, ['fp8', 'bf16', 'f32']);
    const arch = parseChoice<Architecture>('arch', values.arch, ['qwen3', 'qwen2', 'llama'], 'qwen3');
    const seed = parseIntegerOption('seed', values.seed, 0);
    const shardMb = values['shard-mb'] === undefined ? undefined : parseIntegerOption('shard-mb', values['shard-mb']);

    const progress = new ProgressLine(`writing ${geometry} ${dtype}`);
    const started = Date.now();
    const result = await writeSyntheticCheckpoint({
      outDir: values.out,
      geometry,
      dtype,
      arch,
      seed,
      tied: !values.untied,
      ...(shardMb !== undefined && { shardBytes: shardMb * 1024 * 1024 }),
      onProgress: ({ bytesWritten, totalBytes }) => progress.update(bytesWritten, totalBytes, 'B'),
      signal,
    });
    progress.done(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.stdout.write(`${JSON.stringify({ dir: result.dir, files: result.files })}\n`);
  },
};

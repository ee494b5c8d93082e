import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultModelDir, STAGING_DIR } from '../library/downloadLayout';
import type { DownloadProgress } from '../library/downloadProgress';
import { findCatalogueModel, MODEL_CATALOGUE } from '../library/modelCatalogue';
import { downloadModel } from '../library/modelDownloader';
import { machineMemory } from '../library/machineInfo';
import { catalogueModelFit } from '../library/modelFit';
import { parseIntegerOption, UsageError, type CliCommand } from './cliCommand';
import { formatAmount, ProgressLine } from './progressLine';

export const downloadCommand: CliCommand = {
  name: 'download',
  summary: 'download a Qwen3 checkpoint from Hugging Face (HF_ENDPOINT, HF_TOKEN), resumable and verified',
  usage: 'hearth download REPO [--revision R] [--dir DIR] [--concurrency N]',
  async run(args, signal) {
    const { values, positionals } = parseArgs({
      args,
      options: { revision: { type: 'string' }, dir: { type: 'string' }, concurrency: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) {
      throw new UsageError(
        `give one repository, for example:\n${MODEL_CATALOGUE.map((m) => `  ${m.repo.padEnd(34)} ${m.description}`).join('\n')}`,
      );
    }
    const repo = positionals[0];
    const dir = values.dir ?? defaultModelDir(repo);
    const concurrency = parseIntegerOption('concurrency', values.concurrency, 3);
    if (concurrency < 1) throw new UsageError('--concurrency must be at least 1.');

    warnIfTooBig(repo);
    const progress = new ProgressLine(`${repo}:`);
    try {
      const result = await downloadModel({
        repo,
        dir,
        concurrency,
        onProgress: (p) => progress.show(describeProgress(p), p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0),
        signal,
        ...(values.revision !== undefined && { revision: values.revision }),
      });
      progress.done(
        result.alreadyComplete
          ? `already complete in ${result.dir}`
          : `${formatAmount(result.receivedBytes, 'B')} downloaded and verified into ${result.dir}`,
      );
      const { files, ...summary } = result;
      process.stdout.write(`${JSON.stringify({ ...summary, files: files.length })}\n`);
    } catch (error) {
      if (signal.aborted)
        progress.done(
          `stopped; the partial download in ${join(dir, STAGING_DIR)} resumes when you run the same command again`,
        );
      throw error;
    }
  },
};

/** `45%  2.31 GiB / 5.19 GiB  38.2 MiB/s  ~1 min 17 s left  3/12 files` */
function describeProgress(p: DownloadProgress): string {
  const percent = p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * 100) : 0;
  const eta = p.etaSeconds === undefined ? '' : `  ~${formatDuration(p.etaSeconds)} left`;
  return `${String(percent).padStart(3)}%  ${formatAmount(p.bytesDone, 'B')} / ${formatAmount(p.bytesTotal, 'B')}  ${formatAmount(p.bytesPerSecond, 'B')}/s${eta}  ${p.filesDone}/${p.filesTotal} files`;
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A model that cannot run here is better known before gigabytes of it arrive. */
function warnIfTooBig(repo: string): void {
  const model = findCatalogueModel(repo);
  if (model === undefined) return;
  const fit = catalogueModelFit(model, machineMemory(), 'int8', 'auto');
  if (fit.verdict === 'does-not-fit') process.stderr.write(`warning: ${fit.message}\n`);
}

// The repository prefix paid once: first-token time of a question in a new engine process with the prefix's KV
// snapshot on disk, against the same question in a new process with nothing cached, in the same run.
//   node esbuild.mjs && node --import tsx scripts/prefixBenchmark.ts [--model DIR] [--budget 8192] [--kv float32,int8]
// Without --model it makes the synthetic Qwen3-0.6B-geometry FP8 checkpoint (int8 weights when loaded). Per KV
// dtype: process A answers the question cold, then a second question over the same block, which makes it store
// the shared prefix; process B answers the first question again, restoring the prefix from disk. Prints both
// first-token times, the restore speed (GB/s, rows read and appended to the cache) and the disk per 1K tokens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineProcess } from '../src/extension/engineProcess';
import { sendEngineRequest } from '../src/shared/engineRpc';
import type { ChatResult, KvCacheDtype, ModelLoadParams } from '../src/shared/protocol';
import { RepositoryIndex } from '../src/engine/context/repositoryIndex';
import { kvSnapshotFolders } from '../src/engine/generation/kvSnapshotListing';
import { writeSyntheticCheckpoint } from '../src/engine/synthetic/syntheticCheckpoint';
import { bundledQwen3TokenizerDir } from '../src/engine/text/bundledTokenizer';
import { Tokenizer } from '../src/engine/text/tokenizer';

const root = resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    budget: { type: 'string', default: '8192' },
    kv: { type: 'string', default: 'float32,int8' },
  },
});
const budget = Number(values.budget);
const dtypes = values.kv.split(',') as KvCacheDtype[];
const never = new AbortController().signal;
const work = mkdtempSync(join(tmpdir(), 'hearth-prefix-bench-'));

async function repositoryBlock(): Promise<string> {
  const tokenizer = Tokenizer.load(bundledQwen3TokenizerDir());
  const index = await RepositoryIndex.open({ roots: [root], cacheDir: join(work, 'index') }, () => {}, never);
  try {
    const packed = index.pack(
      { budget, format: 'qwen', focus: {} },
      { count: (text) => tokenizer.encodePlainText(text).length },
      never,
    );
    process.stderr.write(`packed ${packed.stats.tokens} tokens (${packed.stats.overviewTokens} overview)\n`);
    return packed.text;
  } finally {
    await index.dispose();
  }
}

/** An engine process with the model loaded, and a wait for a line of its log. */
async function engineWith(load: ModelLoadParams) {
  const log: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const { engine } = await EngineProcess.start({
    enginePath: join(root, 'dist', 'engine.js'),
    clientName: 'prefixBenchmark',
    clientVersion: '0.0.0',
    logLevel: 'debug',
    log: (line) => {
      log.push(line);
      for (const listener of listeners) listener(line);
    },
  });
  await sendEngineRequest(engine.connection, 'model/load', load);
  /** The first line, logged already or to come, that matches `pattern`. */
  const logged = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve) => {
      const check = (line: string) => {
        const match = pattern.exec(line);
        if (match === null) return false;
        listeners.delete(check);
        resolve(match);
        return true;
      };
      if (!log.some(check)) listeners.add(check);
    });
  return { engine, logged };
}

function ask(engine: EngineProcess, block: string, question: string): Promise<ChatResult> {
  return sendEngineRequest(engine.connection, 'chat', {
    requestId: question,
    messages: [
      { role: 'system', content: `You are Hearth, answering about this repository.\n\n${block}` },
      { role: 'user', content: question },
    ],
    thinking: 'off',
    maxTokens: 1,
    sampling: { temperature: 0 },
  });
}

async function main(): Promise<void> {
  const model =
    values.model ??
    (
      await writeSyntheticCheckpoint({
        outDir: join(work, 'qwen3-0.6b'),
        geometry: '0.6b',
        dtype: 'fp8',
        seed: 1,
        arch: 'qwen3',
        tied: true,
      })
    ).dir;
  const block = await repositoryBlock();
  const rows: string[] = [];
  for (const kvCache of dtypes) {
    const cacheDir = join(work, `cache-${kvCache}`);
    const load: ModelLoadParams = {
      path: model,
      quantization: 'int8',
      kvCache,
      contextLength: budget + 2048,
      cacheDir,
    };
    const first = await engineWith(load);
    const cold = await ask(first.engine, block, 'What does the engine do on a request?');
    await ask(first.engine, block, 'Where are KV snapshots written?');
    const stored = Number((await first.logged(/KV snapshot of (\d+) tokens stored/))[1]);
    await first.engine.stop();

    const second = await engineWith(load);
    const warm = await ask(second.engine, block, 'What does the engine do on a request?');
    const restore = await second.logged(/restored positions \[0, (\d+)\) from disk, (\d+) bytes in ([\d.]+) ms/);
    await second.engine.stop();

    const [file] = kvSnapshotFolders(join(cacheDir, 'kv'))[0].files;
    const restoredBytes = Number(restore[2]);
    const gbPerSecond = restoredBytes / 1e9 / (Number(restore[3]) / 1000);
    rows.push(
      [
        kvCache.padEnd(8),
        `prompt ${cold.usage.promptTokens}`,
        `cold first token ${(cold.usage.timeToFirstTokenMs! / 1000).toFixed(2)} s`,
        `restored ${warm.usage.diskTokens} of ${stored} stored: first token ${(warm.usage.timeToFirstTokenMs! / 1000).toFixed(2)} s` +
          ` (${((100 * warm.usage.timeToFirstTokenMs!) / cold.usage.timeToFirstTokenMs!).toFixed(1)}% of cold)`,
        `restore ${(restoredBytes / 1e9).toFixed(2)} GB in ${restore[3]} ms = ${gbPerSecond.toFixed(2)} GB/s`,
        `disk ${(((file.bytes / stored) * 1000) / 1e6).toFixed(1)} MB per 1K tokens`,
      ].join('  '),
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));

// The repository prefix paid once, in the same run as the cold path it is measured against:
//   node esbuild.mjs && node --import tsx scripts/prefixBenchmark.ts [--model DIR] [--budget 8192]
//     [--kv float32,int8] [--part restore,prefill] [--question-share S]
// Without --model it makes the synthetic Qwen3-0.6B-geometry FP8 checkpoint (int8 weights when loaded). Per KV
// dtype, part `restore`: process A answers a question cold, then a second one over the same block, which makes
// it store the shared prefix; process B answers the first again, restoring the prefix from disk (first tokens,
// restore GB/s, disk per 1K tokens). Part `prefill`, on a copy of this repository indexed by the engine as the
// extension has it: a new process answers question 2 cold; another runs context/prefill in the background while
// inline completions are timed, then the same completions idle, then question 2 (a new conversation: another
// question and active file than any before), then question 2 again after an edit to the file being worked on
// (the overview's TypeScript piece of median length, touched before the cold question: the overview shows it last).
// Prints first tokens against cold, completion p50/p95 and disk per 1K tokens.
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHAT_INSTRUCTIONS } from '../src/extension/chat/chatMessages';
import { EngineProcess } from '../src/extension/engineProcess';
import { sendEngineRequest } from '../src/shared/engineRpc';
import type { ChatResult, ContextPackResult, KvCacheDtype, ModelLoadParams } from '../src/shared/protocol';
import { RepositoryIndex } from '../src/engine/context/repositoryIndex';
import { kvSnapshotFolders } from '../src/engine/generation/kvSnapshotListing';
import { writeSyntheticCheckpoint } from '../src/engine/synthetic/syntheticCheckpoint';
import { bundledQwen3Counter } from '../src/engine/text/bundledTokenizer';

const root = resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    budget: { type: 'string', default: '8192' },
    kv: { type: 'string', default: 'float32,int8' },
    part: { type: 'string', default: 'restore,prefill' },
    'question-share': { type: 'string' },
  },
});
const budget = Number(values.budget);
/** The request's share of the block, as `hearth.context.questionShare` sets it; default the engine's. */
const questionShare = values['question-share'] === undefined ? undefined : Number(values['question-share']);
const dtypes = values.kv.split(',') as KvCacheDtype[];
const parts = values.part.split(',');
const never = new AbortController().signal;
const work = mkdtempSync(join(tmpdir(), 'hearth-prefix-bench-'));

async function repositoryBlock(): Promise<string> {
  const counter = bundledQwen3Counter();
  const index = await RepositoryIndex.open({ roots: [root], cacheDir: join(work, 'index') }, () => {}, never);
  try {
    const packed = index.pack({ budget, format: 'qwen', focus: {} }, counter, never);
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
  return { engine, logged, log };
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
  const rows: string[] = [];
  for (const kvCache of dtypes) {
    const load = (cacheDir: string): ModelLoadParams => ({
      path: model,
      quantization: 'int8',
      kvCache,
      contextLength: budget + 2048,
      cacheDir,
    });
    if (parts.includes('restore')) rows.push(await restoreFromDisk(kvCache, load));
    if (parts.includes('prefill')) rows.push(await backgroundPrefill(kvCache, load));
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

/** Part `restore`: the first token in a new process with the prefix two questions shared on disk. */
async function restoreFromDisk(kvCache: KvCacheDtype, load: (cacheDir: string) => ModelLoadParams): Promise<string> {
  const block = await repositoryBlock();
  const cacheDir = join(work, `cache-${kvCache}`);
  const first = await engineWith(load(cacheDir));
  const cold = await ask(first.engine, block, 'What does the engine do on a request?');
  await ask(first.engine, block, 'Where are KV snapshots written?');
  const stored = Number((await first.logged(/KV snapshot of (\d+) tokens stored/))[1]);
  await first.engine.stop();

  const second = await engineWith(load(cacheDir));
  const warm = await ask(second.engine, block, 'What does the engine do on a request?');
  const restores = second.log
    .map((line) => /restored positions \[\d+, \d+\) from disk, (\d+) bytes in ([\d.]+) ms/.exec(line))
    .filter((match) => match !== null);
  await second.engine.stop();

  const [file] = kvSnapshotFolders(join(cacheDir, 'kv'))[0].files;
  const restoredBytes = restores.reduce((sum, match) => sum + Number(match[1]), 0);
  const restoreMs = restores.reduce((sum, match) => sum + Number(match[2]), 0);
  const gbPerSecond = restoredBytes / 1e9 / (restoreMs / 1000);
  return [
    `${kvCache.padEnd(8)} restore`,
    `prompt ${cold.usage.promptTokens}`,
    `cold first token ${seconds(cold)}`,
    `restored ${warm.usage.diskTokens} of ${stored} stored: first token ${seconds(warm)} (${share(warm, cold)} of cold)`,
    `restore ${(restoredBytes / 1e9).toFixed(2)} GB in ${restoreMs.toFixed(0)} ms (${restores.length} runs) = ${gbPerSecond.toFixed(2)} GB/s`,
    `disk ${(((file.bytes / stored) * 1000) / 1e6).toFixed(1)} MB per 1K tokens`,
  ].join('  ');
}
/** This repository's sources, with their modification times (the overview orders files by them). */
function copyOfRepository(name: string): string {
  const copy = join(work, name);
  const skipped = new Set(['node_modules', '.git', 'dist', 'out', 'media']);
  cpSync(root, copy, { recursive: true, preserveTimestamps: true, filter: (path) => !skipped.has(basename(path)) });
  return copy;
}

/** A new engine process with the model loaded and the repository indexed, as the extension has it. */
async function indexedEngine(load: ModelLoadParams, repository: string) {
  const started = await engineWith(load);
  await sendEngineRequest(started.engine.connection, 'context/index', { roots: [repository] });
  return started;
}

/** A chat question as the extension sends it: its block packed for the question and the active file. */
async function askAbout(engine: EngineProcess, question: string, activeFile: string): Promise<ChatResult> {
  const block = await sendEngineRequest(engine.connection, 'context/pack', {
    budget,
    format: 'markdown',
    questionShare,
    focus: { activeFile, openFiles: [activeFile], query: question },
  });
  return sendEngineRequest(engine.connection, 'chat', {
    requestId: `${question} ${Math.random()}`,
    messages: [
      { role: 'system', content: `${block.text.trimEnd()}\n\n${CHAT_INSTRUCTIONS}` },
      { role: 'user', content: question },
    ],
    thinking: 'off',
    maxTokens: 1,
    sampling: { temperature: 0 },
  });
}

/** One inline completion's latency as its caller sees it, in ms. */
async function completionMs(engine: EngineProcess, index: number): Promise<number> {
  const started = performance.now();
  await sendEngineRequest(engine.connection, 'complete', {
    prompt: `// step ${index}\nexport function add${index}(a: number, b: number): number {\n  return`,
    maxTokens: 4,
  });
  return performance.now() - started;
}

/** The overview's files (absolute paths) in block order, oldest first, where each starts and ends in its text. */
async function overviewFiles(
  engine: EngineProcess,
  repository: string,
): Promise<{ path: string; start: number; end: number }[]> {
  const packed: ContextPackResult = await sendEngineRequest(engine.connection, 'context/pack', {
    budget,
    format: 'markdown',
    questionShare,
    focus: {},
    explainRanking: true,
  });
  // A markdown piece starts with its path alone on a line, or followed by what the piece holds. The overview (the
  // map, then its files) ends where the request's part, after it, begins.
  const startOf = (path: string, last = false): number => {
    const find = (needle: string) => (last ? packed.text.lastIndexOf(needle) : packed.text.indexOf(needle));
    return Math.max(find(`\n${path}\n`), find(`\n${path} (`));
  };
  const ranking = packed.ranking ?? [];
  const overviewEnd = Math.min(
    packed.text.length,
    ...ranking.filter((entry) => entry.part === 'request').map((entry) => startOf(entry.path, true)),
  );
  const starts = ranking
    .filter((entry) => entry.part === 'overview')
    .map((entry) => ({ path: entry.path, start: startOf(entry.path) }))
    .filter((file) => file.start >= 0 && file.start < overviewEnd)
    .sort((a, b) => a.start - b.start);
  return starts.map((file, i) => ({
    path: isAbsolute(file.path) ? file.path : join(repository, file.path),
    start: file.start,
    end: starts[i + 1]?.start ?? overviewEnd,
  }));
}

/**
 * The file a developer is working on: the overview's TypeScript piece of median length, modified now, so that
 * the block (oldest first) shows it last, as it shows the files a user edits. Returns its path.
 */
async function startWorkingOnAFile(engine: EngineProcess, repository: string): Promise<string> {
  const pieces = (await overviewFiles(engine, repository))
    .filter(({ path }) => path.endsWith('.ts'))
    .sort((a, b) => a.end - a.start - (b.end - b.start));
  const { path } = pieces[pieces.length >> 1];
  utimesSync(path, new Date(), new Date());
  await sendEngineRequest(engine.connection, 'context/update', { changes: [{ path, kind: 'changed' }] });
  return path;
}

/** Puts a line at the top of `path` and tells the engine; says where the file's piece started in the overview. */
async function edit(engine: EngineProcess, repository: string, path: string): Promise<string> {
  const files = await overviewFiles(engine, repository);
  const overviewEnd = files.at(-1)?.end ?? 1;
  const piece = files.find((file) => file.path === path);
  writeFileSync(path, `// edited by the benchmark\n${readFileSync(path, 'utf8')}`);
  await sendEngineRequest(engine.connection, 'context/update', { changes: [{ path, kind: 'changed' }] });
  const at = piece === undefined ? 'not in the overview' : `at ${Math.round((100 * piece.start) / overviewEnd)}%`;
  return `${relative(repository, path)} (${at} of the overview's text)`;
}

const QUESTION = 'How does the chat view say where the prompt tokens came from?';
const ACTIVE_FILE = join('src', 'webview', 'statsLine.ts');
/** Milliseconds between two completions, as a debounce leaves them while someone types. */
const TYPING_GAP_MS = 150;

/**
 * Part `prefill`: cold, then in another process the background prefill with completions timed during it and
 * after it, a new conversation's first question, and the same question after an edit to the working file.
 */
async function backgroundPrefill(kvCache: KvCacheDtype, load: (cacheDir: string) => ModelLoadParams): Promise<string> {
  const repository = copyOfRepository(`repo-${kvCache}`);
  const activeFile = join(repository, ACTIVE_FILE);
  const coldEngine = await indexedEngine(load(join(work, `cold-${kvCache}`)), repository);
  const workingFile = await startWorkingOnAFile(coldEngine.engine, repository);
  const cold = await askAbout(coldEngine.engine, QUESTION, activeFile);
  await coldEngine.engine.stop();
  note(`${kvCache}: cold first token ${seconds(cold)} for ${cold.usage.promptTokens} prompt tokens`);

  const { engine, logged } = await indexedEngine(load(join(work, `prefill-${kvCache}`)), repository);
  const prefillStarted = performance.now();
  let prefilling = true;
  const prefill = sendEngineRequest(engine.connection, 'context/prefill', {
    budget,
    format: 'markdown',
    questionShare,
  }).finally(() => (prefilling = false));
  const busy: number[] = [];
  note(`${kvCache}: background prefill started, completions during it`);
  for (let i = 0; prefilling; i++) {
    busy.push(await completionMs(engine, i));
    await new Promise((resolve) => setTimeout(resolve, TYPING_GAP_MS));
  }
  const prefix = await prefill;
  const prefillSeconds = (performance.now() - prefillStarted) / 1000;
  note(`${kvCache}: prefix of ${prefix.tokens} tokens in ${prefillSeconds.toFixed(1)} s, ${busy.length} completions`);
  // The writer stores a prefix of 512 tokens or more, after the prefill; a shorter one is not stored.
  note(`${kvCache}: waiting for the prefix's snapshot`);
  const written = await Promise.race([
    logged(/KV snapshot of (\d+) tokens stored/),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 120_000).unref()),
  ]);
  const stored = written === undefined ? undefined : Number(written[1]);
  const idle: number[] = [];
  for (let i = 0; i < Math.max(10, busy.length); i++) {
    idle.push(await completionMs(engine, busy.length + i)); // prompts the prefix cache has not seen
    await new Promise((resolve) => setTimeout(resolve, TYPING_GAP_MS));
  }
  const warm = await askAbout(engine, QUESTION, activeFile);
  note(`${kvCache}: new conversation first token ${seconds(warm)}`);
  const edited = await edit(engine, repository, workingFile);
  const afterEdit = await askAbout(engine, QUESTION, activeFile);
  await engine.stop();
  const file = kvSnapshotFolders(join(work, `prefill-${kvCache}`, 'kv'))[0]?.files[0];
  return [
    `${kvCache.padEnd(8)} prefill`,
    `prompt ${cold.usage.promptTokens}, prefix ${prefix.tokens}`,
    `cold first token ${seconds(cold)}`,
    `background prefill ${prefillSeconds.toFixed(1)} s`,
    `new conversation ${seconds(warm)} (${share(warm, cold)} of cold, ${computed(warm)})`,
    `after editing ${edited}: ${seconds(afterEdit)} (${share(afterEdit, cold)} of cold, ${computed(afterEdit)})`,
    `completion p50/p95 idle ${percentile(idle, 50)}/${percentile(idle, 95)} ms, during the prefill ${percentile(busy, 50)}/${percentile(busy, 95)} ms (${busy.length})`,
    stored === undefined || file === undefined
      ? 'no snapshot stored'
      : `disk ${(((file.bytes / stored) * 1000) / 1e6).toFixed(1)} MB per 1K tokens`,
  ].join('  ');
}

/** A progress line on stderr: the parts take minutes. */
function note(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

/** Prompt tokens computed: what the first token's time mostly pays for, whatever the machine's load. */
function computed({ usage }: ChatResult): string {
  const tokens = usage.promptTokens - usage.cachedTokens;
  return `${tokens} of ${usage.promptTokens} tokens computed = ${((100 * tokens) / usage.promptTokens).toFixed(0)}%`;
}

function seconds(result: ChatResult): string {
  return `${(result.usage.timeToFirstTokenMs! / 1000).toFixed(2)} s`;
}

function share(result: ChatResult, cold: ChatResult): string {
  return `${((100 * result.usage.timeToFirstTokenMs!) / cold.usage.timeToFirstTokenMs!).toFixed(1)}%`;
}

function percentile(values: number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? '-'
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(0);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));

// `hearth serve` against the engine called directly, and under concurrent streaming clients.
//   node esbuild.mjs && node --import tsx scripts/serveBenchmark.ts [--model DIR | --geometry tiny|0.6b]
//        [--rounds N] [--seconds N] [--clients N] [--threads N] [--context N]
// Prints:
//   - tg128 (decode tokens/s of a 128-token answer, measured by the client from its first to its last token) and
//     time to first token, through hearth serve (HTTP, SSE, the openai client) and through GenerationService in
//     this process, alternating, each request with a fresh prompt;
//   - N concurrent streaming clients for --seconds, a random quarter disconnecting mid-stream: completed streams
//     checked for shape (one id, role first, one finish reason last, usage, [DONE]), the requests still running
//     afterwards (/health), and the server's RSS before, at each quarter of the run and after, also less what
//     its prefix cache holds (which grows to its budget with use).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { Logger } from '../src/engine/base/logger';
import { GenerationService } from '../src/engine/generation/generationService';
import { loadModel } from '../src/engine/model/modelLoader';
import { writeSyntheticCheckpoint } from '../src/engine/synthetic/syntheticCheckpoint';
import { SYNTHETIC_GEOMETRIES, type SyntheticGeometryName } from '../src/engine/synthetic/syntheticConfig';
import { parseEngineParams } from '../src/shared/wire/parseEngineParams';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    geometry: { type: 'string', default: 'tiny' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '120' },
    clients: { type: 'string', default: '8' },
    threads: { type: 'string', default: '2' },
    context: { type: 'string', default: '2048' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const CLI = join(resolve(__dirname, '..'), 'dist', 'cli.js');
const TG = 128;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (n: number, digits = 1): string => n.toFixed(digits);

interface Sample {
  ttftMs: number;
  decodeTps: number;
  tokens: number;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'hearth-serve-bench-'));
  const cacheDir = join(work, 'cache');
  let server: { url: string; pid: number; stop: () => Promise<void> } | undefined;
  const direct = new GenerationService({ logger: new Logger('warn'), loadModel });
  try {
    const model = values.model ?? (await syntheticModel(join(work, values.geometry), values.geometry));
    const load = { path: model, cacheDir, contextLength: Number(values.context), threads: Number(values.threads) };
    const started = performance.now();
    await direct.loadModel(load, () => undefined, AbortSignal.timeout(600_000));
    process.stdout.write(`model ${model}: loaded in this process in ${fmt((performance.now() - started) / 1000)} s\n`);
    server = await startServe(model, cacheDir, values.threads, values.context);
    const client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
    const modelId = (await client.models.list()).data[0].id;

    // Warm-up: the first request of each pays for lazy setup.
    await viaServe(client, modelId, 'warm-up', 8);
    await viaEngine(direct, 'warm-up', 8);
    const served: Sample[] = [];
    const called: Sample[] = [];
    for (let round = 0; round < rounds; round++) {
      called.push(await viaEngine(direct, `round ${round} direct`, TG));
      served.push(await viaServe(client, modelId, `round ${round} served`, TG));
    }
    report('engine called directly', called);
    report('through hearth serve', served);
    const ratio = (f: (s: Sample[]) => number) => f(served) / f(called);
    process.stdout.write(
      `serve / direct: tg${TG} ${fmt(
        ratio((s) => median(s.map((x) => x.decodeTps))),
        3,
      )}×, ttft ${fmt(
        ratio((s) => median(s.map((x) => x.ttftMs))),
        3,
      )}×\n\n`,
    );
    await direct.dispose();

    await concurrent(client, modelId, server);
  } finally {
    await server?.stop();
    await direct.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

function report(name: string, samples: Sample[]): void {
  const tps = samples.map((s) => s.decodeTps);
  const ttft = samples.map((s) => s.ttftMs);
  process.stdout.write(
    `${name.padEnd(24)} tg${TG} median ${fmt(median(tps))} tokens/s (${fmt(Math.min(...tps))}–${fmt(Math.max(...tps))}), ttft median ${fmt(median(ttft))} ms (${fmt(Math.min(...ttft))}–${fmt(Math.max(...ttft))}), tokens ${samples.map((s) => s.tokens).join(',')}\n`,
  );
}

/** A prompt no earlier request started with, so that every request prefills the same way. */
const promptFor = (tag: string): string => `${tag} ${Math.random()}: write a long story about a lighthouse keeper.`;

async function viaServe(client: OpenAI, model: string, tag: string, maxTokens: number): Promise<Sample> {
  const sent = performance.now();
  let first = 0;
  let last = 0;
  let tokens = 0;
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: promptFor(tag) }],
    max_tokens: maxTokens,
    seed: 1,
    stream: true,
    stream_options: { include_usage: true },
    chat_template_kwargs: { enable_thinking: false },
  } as OpenAI.ChatCompletionCreateParamsStreaming);
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
    if (delta?.content || delta?.reasoning_content) {
      last = performance.now();
      if (first === 0) first = last;
    }
    if (chunk.usage) tokens = chunk.usage.completion_tokens;
  }
  return { ttftMs: first - sent, decodeTps: (tokens - 1) / ((last - first) / 1000), tokens };
}

async function viaEngine(engine: GenerationService, tag: string, maxTokens: number): Promise<Sample> {
  const sent = performance.now();
  let first = 0;
  let last = 0;
  const result = await engine.chat(
    parseEngineParams('chat', {
      requestId: tag,
      messages: [{ role: 'user', content: promptFor(tag) }],
      maxTokens,
      sampling: { seed: 1 },
      thinking: 'off',
    }),
    () => {
      last = performance.now();
      if (first === 0) first = last;
    },
    AbortSignal.timeout(600_000),
  );
  const tokens = result.usage.completionTokens;
  return { ttftMs: first - sent, decodeTps: (tokens - 1) / ((last - first) / 1000), tokens };
}

/** The clients' loop: streams of random length, a quarter of them abandoned after a few chunks. */
async function concurrent(client: OpenAI, model: string, server: { url: string; pid: number }): Promise<void> {
  const health = async () =>
    (await (await fetch(server.url.replace(/\/v1$/, '/health'))).json()) as {
      requests_running: number;
      prefix_cache_bytes: number;
    };
  const rssBefore = rssOf(server.pid);
  const cacheBefore = (await health()).prefix_cache_bytes;
  const deadline = performance.now() + seconds * 1000;
  // RSS at each quarter of the run: a plateau is the caches filling to their budgets, a climb is a leak.
  const rssByQuarter: number[] = [];
  const sampler = setInterval(() => rssByQuarter.push(rssOf(server.pid)), (seconds * 1000) / 4);
  const totals = { completed: 0, wellFormed: 0, aborted: 0, failed: 0, tokens: 0 };
  const problems: string[] = [];
  const runClient = async (index: number): Promise<void> => {
    while (performance.now() < deadline) {
      const abortAfter = Math.random() < 0.25 ? 1 + Math.floor(Math.random() * 8) : undefined;
      const maxTokens = 16 + Math.floor(Math.random() * 96);
      const abort = new AbortController();
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      try {
        const stream = await client.chat.completions.create(
          {
            model,
            messages: [{ role: 'user', content: promptFor(`client ${index}`) }],
            max_tokens: maxTokens,
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: abort.signal },
        );
        for await (const chunk of stream) {
          chunks.push(chunk);
          if (abortAfter !== undefined && chunks.length === abortAfter) abort.abort();
        }
      } catch (error) {
        totals.failed++;
        problems.push(String(error));
        continue;
      }
      if (abort.signal.aborted) {
        totals.aborted++;
        continue;
      }
      totals.completed++;
      const problem = shapeProblem(chunks, maxTokens);
      if (problem === undefined) totals.wellFormed++;
      else problems.push(problem);
      totals.tokens += chunks.at(-1)?.usage?.completion_tokens ?? 0;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => runClient(i)));
  clearInterval(sampler);
  // The last disconnects stop within a step; the server counts a request until the engine has let it go.
  let running = -1;
  for (let wait = 0; wait < 50 && running !== 0; wait++) {
    running = (await health()).requests_running;
    if (running !== 0) await new Promise((done) => setTimeout(done, 100));
  }
  global.gc?.();
  await new Promise((done) => setTimeout(done, 2000));
  const rssAfter = rssOf(server.pid);
  const cacheAfter = (await health()).prefix_cache_bytes;
  process.stdout.write(
    `${clients} concurrent streaming clients for ${seconds} s: ${totals.completed} completed (${totals.wellFormed} well formed), ${totals.aborted} disconnected mid-stream, ${totals.failed} failed; ${fmt(totals.tokens / seconds)} tokens/s in all\n` +
      `requests still running afterwards: ${running}; server RSS ${fmt(rssBefore / 2 ** 20)} MiB before, ${rssByQuarter.map((rss) => fmt(rss / 2 ** 20)).join(', ')} MiB at each quarter, ${fmt(rssAfter / 2 ** 20)} MiB after; less the prefix cache (${fmt(cacheBefore / 2 ** 20)} → ${fmt(cacheAfter / 2 ** 20)} MiB): ${fmt((rssBefore - cacheBefore) / 2 ** 20)} → ${fmt((rssAfter - cacheAfter) / 2 ** 20)} MiB\n`,
  );
  for (const problem of problems.slice(0, 5)) process.stdout.write(`  problem: ${problem}\n`);
}

/** Why a completed stream is not in OpenAI's shape, or undefined. */
function shapeProblem(chunks: OpenAI.ChatCompletionChunk[], maxTokens: number): string | undefined {
  if (chunks.length < 3) return `only ${chunks.length} chunks`;
  const ids = new Set(chunks.map((chunk) => chunk.id));
  if (ids.size !== 1) return `chunks of ${ids.size} different requests in one stream`;
  if (chunks[0].choices[0]?.delta.role !== 'assistant') return 'the first delta has no role';
  const finishes = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter((f) => f);
  if (finishes.length !== 1) return `${finishes.length} finish reasons`;
  const usage = chunks.at(-1)?.usage;
  if (!usage || chunks.at(-1)!.choices.length !== 0) return 'no usage chunk last';
  if (finishes[0] === 'length' && usage.completion_tokens !== maxTokens)
    return `length after ${usage.completion_tokens} of ${maxTokens} tokens`;
  return undefined;
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

async function syntheticModel(dir: string, geometry: string): Promise<string> {
  await writeSyntheticCheckpoint({
    outDir: dir,
    geometry: SYNTHETIC_GEOMETRIES[geometry as SyntheticGeometryName],
    dtype: 'fp8',
    seed: 1,
    arch: 'qwen3',
    tied: true,
  });
  return dir;
}

function startServe(
  model: string,
  cacheDir: string,
  threads: string,
  context: string,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--port',
      '0',
      '--model',
      model,
      '--cache-dir',
      cacheDir,
      '--threads',
      threads,
      '--context',
      context,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stderr = '';
  return new Promise((ready, fail) => {
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      const url = /ready at (http\S+)/.exec(stderr)?.[1];
      if (url !== undefined)
        ready({
          url,
          pid: child.pid!,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
    });
    void exited.then(() => fail(new Error(`hearth serve exited:\n${stderr}`)));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});

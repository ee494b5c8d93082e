// Inline-completion latency, measured the way the provider runs: a simulated typing session through the real
// CompletionService (prompt, cache, post-processing) against the real engine on synthetic checkpoints.
//   node --import tsx scripts/completionBenchmark.ts [--geometry tiny,0.6b] [--style fim,chat] [--keystrokes N] [--warm-up]
// Reports, per checkpoint and prompt style:
//   - extension-side overhead: the service's own work per answer (windows, cache, prompt, post-processing), and
//     everything but engine time (provider wall time minus the engine's own prefill + decode time);
//   - the engine's time to first token for completions with a warm prefix cache, and how much of each prompt it
//     took from the cache (cachedTokens / promptTokens) — only the changed tail should be prefilled;
//   - with --warm-up, the first request after a warm-up at its place (what focusing a file does in VS Code).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import type { CompleteResult, ModelInfo } from '../src/shared/protocol';
import {
  CompletionService,
  type CompletionModel,
  type CompletionRequest,
} from '../src/extension/completion/completionService';
import { linesOf } from '../src/extension/completion/cursorWindows';
import { promptStyleFor, type PromptStyle } from '../src/extension/completion/promptStyle';
import { SnippetRing } from '../src/extension/completion/snippetRing';
import { EngineSupervisor } from '../src/extension/engineSupervisor';

const root = resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    geometry: { type: 'string', default: 'tiny,0.6b' },
    style: { type: 'string', default: 'fim,chat' },
    keystrokes: { type: 'string', default: '1000' },
    'warm-up': { type: 'boolean', default: false },
  },
});
const geometries = values.geometry.split(',');
const styles = values.style.split(',') as PromptStyle[];
const keystrokes = Number(values.keystrokes);

/** The document typed into: a real source file of this repository, cursor in the middle of a function. */
const documentPath = 'src/extension/completion/completionService.ts';
const documentText = readFileSync(join(root, documentPath), 'utf8');
const cursorLine = documentText.split('\n').findIndex((line) => line.includes('const hit = this.cache.lookup(key);'));
/** Typed as a new line under the cursor line, one character per keystroke, then Enter and a second line. */
const typing = '    const shape = completionShape(windows);\n    if (shape === ';

interface Sample {
  /** The provider's wall time for the keystroke. */
  wallMs: number;
  /** The `complete` request's round trip. */
  requestMs: number;
  ownMs: number;
  engineMs: number;
  ttftMs: number;
  promptTokens: number;
  cachedTokens: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–');

async function benchmark(engine: EngineSupervisor, info: ModelInfo, style: PromptStyle): Promise<void> {
  const model: CompletionModel = {
    key: `${info.path}\u0000${info.role}\u0000${style}`,
    role: info.role,
    style,
    kind: info.kind,
  };
  const ring = new SnippetRing();
  for (const path of ['src/extension/completion/completionCache.ts', 'src/extension/completion/pendingGeneration.ts']) {
    const lines = linesOf(readFileSync(join(root, path), 'utf8'));
    const chunk = ring.chunkAround(path, lines, 30);
    if (chunk) ring.add(chunk);
  }
  let lastResult: CompleteResult | undefined;
  let requestMs = 0;
  const service = new CompletionService(
    {
      model: () => Promise.resolve(model),
      loadedModel: () => model,
      complete: async (params, token) => {
        const sent = performance.now();
        lastResult = await engine.request('complete', params, token);
        requestMs = performance.now() - sent;
        return lastResult;
      },
      snippets: () => ring.select(3200),
      repoName: () => 'hearth',
    },
    { debounceMs: () => 0, timeBudgetMs: 120_000 },
  );

  const requestAt = (typed: number): CompletionRequest => {
    const inserted = typing.slice(0, typed);
    const lines = documentText.split('\n');
    lines.splice(cursorLine + 1, 0, ...inserted.split('\n'));
    const insertedLines = inserted.split('\n');
    const position = { line: cursorLine + insertedLines.length, character: insertedLines.at(-1)!.length };
    return {
      documentId: 'bench',
      path: documentPath,
      languageId: 'typescript',
      lines: linesOf(lines.join('\n')),
      position,
      explicit: true,
    };
  };
  let warmUpMs: number | undefined;
  if (values['warm-up']) {
    const started = performance.now();
    await service.warm(requestAt(0), new CancellationTokenSource().token);
    warmUpMs = performance.now() - started;
  }

  const samples: Sample[] = [];
  /** The first request: cold, or the one after the warm-up. */
  let first: Sample | undefined;
  for (let typed = 0; typed <= Math.min(keystrokes, typing.length); typed++) {
    service.cache.clear(); // every keystroke asks the engine: this measures the engine path, not cache hits
    lastResult = undefined;
    const started = performance.now();
    await service.provide(requestAt(typed), new CancellationTokenSource().token);
    const wallMs = performance.now() - started;
    if (!lastResult) continue;
    const { usage } = lastResult as CompleteResult;
    const decodeMs =
      usage.completionTokens > 0 && usage.decodeTokensPerSecond > 0
        ? ((usage.completionTokens - 1) / usage.decodeTokensPerSecond) * 1000
        : 0;
    const sample: Sample = {
      wallMs,
      requestMs,
      ownMs: service.stats.lastOverheadMs,
      engineMs: (usage.timeToFirstTokenMs ?? 0) + decodeMs,
      ttftMs: usage.timeToFirstTokenMs ?? NaN,
      promptTokens: usage.promptTokens,
      cachedTokens: usage.cachedTokens,
    };
    if (first === undefined) first = sample;
    else samples.push(sample);
  }
  const column = (pick: (s: Sample) => number) => {
    const values = samples.map(pick);
    return `${fmt(percentile(values, 50))} / ${fmt(percentile(values, 95))} / ${fmt(Math.max(...values))}`;
  };
  const cachedShare = samples.reduce((sum, s) => sum + s.cachedTokens / s.promptTokens, 0) / samples.length;
  const precededBy =
    warmUpMs === undefined ? 'one cold request' : `a warm-up (${fmt(warmUpMs)} ms) and the first request`;
  console.log(
    `\n${info.path.split('/').at(-1)} (${info.architecture}, ${style} prompt), ${samples.length} warm keystrokes after ${precededBy}:`,
  );
  console.log(
    `  first request: ${first?.promptTokens} prompt tokens, ${first?.cachedTokens} cached, time to first token ${fmt(first?.ttftMs ?? NaN)} ms`,
  );
  console.log('                                               p50 / p95 / max');
  console.log(`  extension overhead (all but the request), ms: ${column((s) => s.wallMs - s.requestMs)}`);
  console.log(`    of which the service's own work, ms:        ${column((s) => s.ownMs)}`);
  console.log(`  complete round trip, ms:                      ${column((s) => s.requestMs)}`);
  console.log(`    engine-reported prefill + decode, ms:       ${column((s) => s.engineMs)}`);
  console.log(`    engine time to first token, ms:             ${column((s) => s.ttftMs)}`);
  console.log(`  prompt tokens:                                ${column((s) => s.promptTokens)}`);
  console.log(`  prefilled tokens (prompt − cached):           ${column((s) => s.promptTokens - s.cachedTokens)}`);
  console.log(`  cachedTokens / promptTokens, mean:            ${(cachedShare * 100).toFixed(1)}%`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'hearth-completion-bench-'));
  const engine = new EngineSupervisor({
    enginePath: join(root, 'dist', 'engine.js'),
    clientVersion: 'bench',
    logLevel: () => 'warn',
    log: (line) => console.error(line),
  });
  try {
    for (const geometry of geometries) {
      for (const style of styles) {
        // FIM on the Qwen2 architecture (a Qwen2.5-Coder stand-in); chat on Qwen3.
        const arch = style === 'fim' ? 'qwen2' : 'qwen3';
        const dir = join(work, `${geometry}-${arch}`);
        execFileSync(
          process.execPath,
          [
            join(root, 'dist', 'cli.js'),
            'make-checkpoint',
            '--out',
            dir,
            '--geometry',
            geometry,
            '--dtype',
            'fp8',
            '--seed',
            '1',
            '--arch',
            arch,
          ],
          { stdio: 'ignore' },
        );
        const role = style === 'fim' ? 'completion' : 'chat';
        const { model: info } = await engine.request('model/load', {
          path: dir,
          role,
          cacheDir: join(work, 'cache'),
          contextLength: 8192,
        });
        const loaded = promptStyleFor(info);
        if (loaded !== style) throw new Error(`expected a ${style} model, got ${loaded}`);
        await benchmark(engine, info, style);
        await engine.request('model/unload', { role });
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await engine.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

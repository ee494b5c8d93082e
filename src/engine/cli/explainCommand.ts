import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXPLAIN_CONTEXT_FORMAT, explainMessages, repositoryQuestionMessages } from '../../shared/explainPrompt';
import type { ChatMessage, ChatResult, GenerationUsage } from '../../shared/protocol';
import { checkBudget } from '../context/contextPacker';
import type { IndexStats } from '../context/repositoryIndex';
import { DEMO_CONTEXT_LENGTH, DEMO_MAX_TOKENS, ensureDemoCheckpoint } from '../synthetic/demoCheckpoint';
import { explainBudget, TEMPLATE_TOKENS } from './explainBudget';
import { defaultCacheDir } from '../base/defaultCacheDir';
import { parseIntegerOption, UsageError, type CliCommand } from './cliCommand';
import { ChatStreamWriter } from './chatStreamWriter';
import {
  generationParseOptions,
  generationUsage,
  parseGenerationOptions,
  type GenerationOptions,
} from './generationOptions';
import { formatExplainStats } from './generationStats';
import { LocalEngine } from './localEngine';
import { checkpointLoadContext, MODEL_ENV, resolveModelDir } from './modelChoice';
import { modelChoiceUsage, modelParseOptions, parseModelOptions } from './modelOptions';
import { PrefillProgress } from './prefillProgress';
import { ProgressLine } from './progressLine';
import { parseEngineParams } from '../../shared/wire/parseEngineParams';

/** Room for the answer with a real model: an explanation of about 800 words, with headings and paths. */
const EXPLAIN_MAX_TOKENS = 2048;
/** The demo asks this too, to show the prefix cache: everything up to the question is already computed. */
const DEMO_FOLLOW_UP = 'Which file should I read first, and why?';
const DEMO_FOLLOW_UP_TOKENS = 8;

export const explainCommand: CliCommand = {
  name: 'explain',
  summary:
    'explain a repository: index and pack it, then stream a Markdown explanation (--demo: on a tiny random model)',
  usage:
    `hearth explain [--root DIR…] [--model DIR | --demo] [--budget N] ${generationUsage} ` +
    `${modelChoiceUsage} [--context N] [--threads N] [--cache-dir DIR]   (--root defaults to the current folder, --model to $${MODEL_ENV})`,
  async run(args, signal) {
    const startedAt = performance.now();
    const { values } = parseArgs({
      args,
      options: {
        ...modelParseOptions,
        ...generationParseOptions,
        root: { type: 'string', multiple: true },
        budget: { type: 'string' },
        demo: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const generation = parseGenerationOptions(values, 'off');
    const maxTokens = generation.maxTokens ?? (values.demo ? DEMO_MAX_TOKENS : EXPLAIN_MAX_TOKENS);
    const budget = values.budget === undefined ? undefined : parseIntegerOption('budget', values.budget);
    if (budget !== undefined) checkBudget(budget); // before the index is built, not after
    const roots = (values.root ?? [process.cwd()]).map((root) => resolve(root));
    for (const root of roots) if (!isDirectory(root)) throw new UsageError(`--root ${root} is not a folder.`);
    if (values.demo && values.model !== undefined)
      throw new UsageError('--demo runs on its own tiny model: leave out --model.');
    const cacheDir = values['cache-dir'] ?? defaultCacheDir();

    const modelDir = values.demo ? await demoModel(cacheDir, signal) : resolveModelDir(values.model);
    const model = parseModelOptions({ ...values, model: modelDir }, 'auto');
    // Without --context: what fits now, loaded with the cache it was sized for (auto is not chosen again at the load).
    const { contextLength, kvCache } =
      model.contextLength !== undefined || values.demo
        ? { contextLength: model.contextLength ?? DEMO_CONTEXT_LENGTH, kvCache: model.kvCache }
        : checkpointLoadContext(modelDir, model.quantization, model.kvCache);
    // A context too small for any block fails now; the exact budget needs the model's tokenizer, after loading.
    if (budget === undefined) explainBudget({ contextLength, maxTokens, promptTokens: 0 });

    const engine = new LocalEngine(cacheDir);
    try {
      const { index, indexMs } = await indexRepository(engine, roots, signal);

      const loaded = await engine.load(
        {
          path: model.dir,
          quantization: model.quantization,
          kvCache,
          cacheDir,
          contextLength,
          ...(model.threads !== undefined && { threads: model.threads }),
        },
        signal,
      );
      const promptTokens = countTokens(engine, explainMessages(''));
      const packed = engine.context.pack(
        {
          budget: budget ?? explainBudget({ contextLength: loaded.model.contextLength, maxTokens, promptTokens }),
          // No focus: the ranking by role puts the README, manifests and entry points first.
          format: EXPLAIN_CONTEXT_FORMAT,
        },
        signal,
      );
      const s = packed.stats;
      process.stderr.write(
        `packed ${s.filesWhole} files whole, ${s.filesOutlined} outlined, ${s.filesListed} listed: ${s.tokens.toLocaleString('en-US')} tokens (budget ${s.budget.toLocaleString('en-US')})\n`,
      );

      const result = await explain(
        engine,
        explainMessages(packed.text),
        s.tokens + promptTokens + TEMPLATE_TOKENS,
        { ...generation, maxTokens },
        signal,
      );
      const followUp =
        values.demo && result.finishReason !== 'cancelled' ? await askFollowUp(engine, packed.text, signal) : undefined;
      process.stderr.write(
        `\n${formatExplainStats({ indexedFiles: index.files, pack: s, result, indexMs, loadMs: loaded.loadMs, totalMs: performance.now() - startedAt, ...(followUp !== undefined && { followUp }) })}`,
      );
      if (result.finishReason === 'cancelled') signal.throwIfAborted();
    } finally {
      await engine.dispose();
    }
  },
};

/** Streams the explanation to stdout (reasoning, if any, to stderr), with prefill progress until it starts. */
async function explain(
  engine: LocalEngine,
  messages: ChatMessage[],
  promptEstimate: number,
  options: GenerationOptions & { maxTokens: number },
  signal: AbortSignal,
): Promise<ChatResult> {
  const writer = new ChatStreamWriter(process.stdout, process.stderr);
  const progress = new PrefillProgress(promptEstimate);
  engine.onPrefill((tokens) => progress.chunk(tokens));
  try {
    return await engine.generation.chat(
      parseEngineParams('chat', {
        requestId: 'hearth-explain',
        messages,
        thinking: options.thinking,
        sampling: options.sampling,
        maxTokens: options.maxTokens,
      }),
      (delta) => {
        progress.finish();
        writer.write(delta);
      },
      signal,
    );
  } finally {
    engine.onPrefill(undefined);
    progress.finish();
    writer.end();
  }
}

/** The demo's model, written into the cache folder the first time. */
async function demoModel(cacheDir: string, signal: AbortSignal): Promise<string> {
  process.stderr.write(
    'demo mode: a tiny synthetic model with random weights, so the text is random; indexing, packing, prefill, the prefix cache and the timings are real.\n',
  );
  const demo = await ensureDemoCheckpoint(cacheDir, signal);
  if (demo.written) process.stderr.write(`wrote the demo model to ${demo.dir}\n`);
  return demo.dir;
}

/** Indexes the roots (reusing the persisted index for unchanged files), with progress on stderr. */
async function indexRepository(
  engine: LocalEngine,
  roots: string[],
  signal: AbortSignal,
): Promise<{ index: IndexStats; indexMs: number }> {
  const started = performance.now();
  const progress = new ProgressLine('indexing');
  const index = await engine.context.index(
    { roots },
    (p) =>
      p.phase === 'scanning'
        ? progress.show(`scanning… ${p.filesFound} files found`, 0)
        : progress.update(p.filesDone, p.filesTotal, ' files'),
    signal,
  );
  const indexMs = performance.now() - started;
  progress.done(`${index.files} files (${index.structured} with structure) in ${(indexMs / 1000).toFixed(2)} s`);
  return { index, indexMs };
}

/** A second, short question on the same block: its prompt is cached up to the question. */
async function askFollowUp(engine: LocalEngine, block: string, signal: AbortSignal): Promise<GenerationUsage> {
  const messages = repositoryQuestionMessages(block, DEMO_FOLLOW_UP);
  const answer = await engine.generation.chat(
    parseEngineParams('chat', {
      requestId: 'hearth-explain-follow-up',
      messages,
      thinking: 'off',
      maxTokens: DEMO_FOLLOW_UP_TOKENS,
    }),
    () => {},
    signal,
  );
  return answer.usage;
}

function countTokens(engine: LocalEngine, messages: ChatMessage[]): number {
  return engine.generation.countTokens({ texts: messages.map((m) => m.content) }).counts.reduce((sum, n) => sum + n, 0);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

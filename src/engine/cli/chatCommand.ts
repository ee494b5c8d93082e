import { parseArgs } from 'node:util';
import { defaultCacheDir } from '../base/defaultCacheDir';
import { UsageError, type CliCommand } from './cliCommand';
import { ChatStreamWriter } from './chatStreamWriter';
import { generationParseOptions, generationUsage, parseGenerationOptions } from './generationOptions';
import { formatUsageLine } from './generationStats';
import { LocalEngine } from './localEngine';
import { MODEL_ENV, resolveModelDir } from './modelChoice';
import { modelParseOptions, modelUsage, parseModelOptions } from './modelOptions';
import { parseEngineParams } from '../../shared/wire/parseEngineParams';

export const chatCommand: CliCommand = {
  name: 'chat',
  summary: 'ask the model one question (argument or stdin) and stream the answer; reasoning dimmed or set apart',
  usage: `hearth chat ${modelUsage} ${generationUsage} [--json] [PROMPT]   (--model defaults to $${MODEL_ENV}; no PROMPT: read stdin)`,
  async run(args, signal) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...modelParseOptions, ...generationParseOptions, json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    const generation = parseGenerationOptions(values, 'auto');
    const prompt = positionals.length > 0 ? positionals.join(' ') : await readPrompt();
    if (prompt.trim() === '') throw new UsageError('the prompt is empty.');
    const model = parseModelOptions({ ...values, model: resolveModelDir(values.model) }, 'auto');
    const cacheDir = model.cacheDir ?? defaultCacheDir();

    const engine = new LocalEngine(cacheDir);
    try {
      await engine.load(
        {
          path: model.dir,
          quantization: model.quantization,
          kvCache: model.kvCache,
          cacheDir,
          // Without --context the engine loads what fits the free memory, for the cache --kv resolves to.
          ...(model.contextLength !== undefined && { contextLength: model.contextLength }),
          ...(model.threads !== undefined && { threads: model.threads }),
        },
        signal,
      );
      const writer = values.json ? undefined : new ChatStreamWriter(process.stdout);
      const result = await engine.generation.chat(
        parseEngineParams('chat', {
          requestId: 'hearth-chat',
          messages: [{ role: 'user', content: prompt }],
          thinking: generation.thinking,
          sampling: generation.sampling,
          ...(generation.maxTokens !== undefined && { maxTokens: generation.maxTokens }),
        }),
        (delta) => writer?.write(delta),
        signal,
      );
      writer?.end();
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      process.stderr.write(`${formatUsageLine(result)}\n`);
      // Ctrl-C: what was generated is out, the stats too; the exit code says it was cut short.
      if (result.finishReason === 'cancelled') signal.throwIfAborted();
    } finally {
      await engine.dispose();
    }
  },
};

/** The prompt from stdin, when something is piped in; a terminal would wait for input the user does not expect to type. */
async function readPrompt(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('give a PROMPT, or pipe one in on stdin.');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

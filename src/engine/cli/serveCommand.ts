import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCacheDir } from '../base/defaultCacheDir';
import { OpenAiServer } from '../serve/openAiServer';
import { parseIntegerOption, UsageError, type CliCommand } from './cliCommand';
import { LocalEngine } from './localEngine';
import { MODEL_ENV, resolveModelDir } from './modelChoice';
import { modelParseOptions, modelUsage, parseModelOptions } from './modelOptions';

/** The key can come from the environment, so that it stays out of the process list. */
const API_KEY_ENV = 'HEARTH_API_KEY';
const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions)',
  usage: `hearth serve ${modelUsage} [--port N] [--host H] [--api-key KEY]   (--model defaults to $${MODEL_ENV}, --api-key to $${API_KEY_ENV}; --port 0 picks a free port)`,
  async run(args, signal) {
    const { values } = parseArgs({
      args,
      options: {
        ...modelParseOptions,
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string' },
      },
      strict: true,
    });
    const port = parseIntegerOption('port', values.port, 8000);
    if (port < 0 || port > 65535) throw new UsageError(`--port must be from 0 to 65535, not ${port}.`);
    const host = values.host ?? '127.0.0.1';
    const apiKey = values['api-key'] ?? (process.env[API_KEY_ENV] || undefined);
    if (!LOOPBACK_HOSTS.includes(host) && apiKey === undefined) {
      throw new UsageError(
        `--host ${host} makes the model reachable from other machines: give --api-key KEY (or set ${API_KEY_ENV}) so that only clients with the key can use it.`,
      );
    }
    const model = parseModelOptions({ ...values, model: resolveModelDir(values.model) }, 'auto');
    const cacheDir = model.cacheDir ?? defaultCacheDir();
    const modelId = basename(resolve(model.dir));

    const stop = new AbortController();
    const onTerm = (): void => stop.abort();
    process.once('SIGTERM', onTerm);
    const stopped = AbortSignal.any([signal, stop.signal]);
    const engine = new LocalEngine(cacheDir);
    const server = new OpenAiServer({ engine: engine.generation, modelId, ...(apiKey !== undefined && { apiKey }) });
    try {
      // Listening first: clients get 503 while the model loads, rather than a refused connection.
      const address = await server.listen(port, host);
      const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/v1`;
      process.stderr.write(`hearth serve: listening on ${url} (model "${modelId}")\n`);
      await engine.load(
        {
          path: model.dir,
          quantization: model.quantization,
          kvCache: model.kvCache,
          cacheDir,
          ...(model.contextLength !== undefined && { contextLength: model.contextLength }),
          ...(model.threads !== undefined && { threads: model.threads }),
        },
        stopped,
      );
      process.stderr.write(`hearth serve: ready at ${url}\n`);
      if (!stopped.aborted) {
        await new Promise((done) => stopped.addEventListener('abort', done, { once: true }));
      }
      process.stderr.write('hearth serve: stopping\n');
    } finally {
      process.off('SIGTERM', onTerm);
      await server.close();
      await engine.dispose();
    }
  },
};

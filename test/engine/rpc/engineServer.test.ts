import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CancellationTokenSource, ParameterStructures } from 'vscode-jsonrpc';
import { EngineError } from '../../../src/shared/engineError';
import { onEngineNotification, sendEngineRequest } from '../../../src/shared/engineRpc';
import {
  EngineErrorCode,
  PROTOCOL_VERSION,
  type ChatDeltaParams,
  type ChatParams,
  type LogLevel,
  type ModelProgressParams,
} from '../../../src/shared/protocol';
import { EngineServer } from '../../../src/engine/rpc/engineServer';
import { ContextService } from '../../../src/engine/context/contextService';
import { GenerationService } from '../../../src/engine/generation/generationService';
import { Logger } from '../../../src/engine/base/logger';
import { loadModel } from '../../../src/engine/model/modelLoader';
import { connectedPair } from '../../helpers/engineConnection';
import { TinyModelFixture } from '../generation/tinyModelFixture';

const hello = { clientName: 'test', clientVersion: '0.0.0', protocolVersion: PROTOCOL_VERSION };

describe('EngineServer over in-memory streams', () => {
  let pair: ReturnType<typeof connectedPair>;
  let logLines: string[];
  let shutdowns: number;

  beforeEach(() => {
    pair = connectedPair();
    logLines = [];
    shutdowns = 0;
    const logger = new Logger('debug', (line) => logLines.push(line));
    new EngineServer(pair.server, {
      version: '9.9.9',
      logger,
      generation: new GenerationService({ logger, loadModel }),
      context: new ContextService({
        tokenCounter: () => {
          throw new Error('no model in these tests');
        },
      }),
      onShutdown: () => shutdowns++,
    });
    pair.server.listen();
    pair.client.listen();
  });
  afterEach(() => pair.dispose());

  it('answers initialize with its version, protocol and pid', async () => {
    const result = await sendEngineRequest(pair.client, 'initialize', hello);
    assert.deepEqual(result, { engineVersion: '9.9.9', protocolVersion: PROTOCOL_VERSION, pid: process.pid });
    assert.match(logLines.join(''), /initialized by test 0\.0\.0/);
  });

  it('answers ping with version, pid, uptime and memory after initialize', async () => {
    await sendEngineRequest(pair.client, 'initialize', hello);
    const ping = await sendEngineRequest(pair.client, 'ping', undefined);
    assert.equal(ping.engineVersion, '9.9.9');
    assert.equal(ping.pid, process.pid);
    assert.ok(ping.uptimeMs >= 0 && ping.uptimeMs < 60_000, `uptime ${ping.uptimeMs}`);
    assert.ok(ping.memory.rssBytes > 1_000_000, `rss ${ping.memory.rssBytes}`);
    assert.ok(ping.memory.heapUsedBytes > 0);
  });

  it('collects its garbage on memory/collect and answers the memory after it', async () => {
    await sendEngineRequest(pair.client, 'initialize', hello);
    const baseline = (await sendEngineRequest(pair.client, 'memory/collect', undefined)).heapUsedBytes;
    /** The heap while 2M small objects are alive; they are garbage once it returns. */
    const heapWithGarbage = () => {
      const objects = Array.from({ length: 200 }, (_, i) => Array.from({ length: 10_000 }, (_, j) => ({ i, j })));
      return objects.length > 0 ? process.memoryUsage().heapUsed : 0;
    };
    const withGarbage = heapWithGarbage();
    const after = await sendEngineRequest(pair.client, 'memory/collect', undefined);
    assert.ok(withGarbage - baseline > 50e6, `the garbage took ${withGarbage - baseline} bytes`);
    assert.ok(after.heapUsedBytes - baseline < 10e6, `${after.heapUsedBytes - baseline} bytes left after collecting`);
    assert.ok(after.rssBytes > after.heapUsedBytes);
  });

  it('rejects requests before initialize with NotInitialized', async () => {
    await assert.rejects(sendEngineRequest(pair.client, 'ping', undefined), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, EngineErrorCode.NotInitialized);
      assert.equal(error.kind, 'NotInitialized');
      assert.equal(error.hint, 'Send "initialize" first.');
      return true;
    });
  });

  it('rejects a different protocol version with ProtocolMismatch and a hint', async () => {
    await assert.rejects(
      sendEngineRequest(pair.client, 'initialize', { ...hello, protocolVersion: PROTOCOL_VERSION + 1 }),
      (error: unknown) => {
        assert.ok(error instanceof EngineError);
        assert.equal(error.code, EngineErrorCode.ProtocolMismatch);
        assert.match(error.hint ?? '', /Reinstall Hearth/);
        return true;
      },
    );
  });

  it('rejects malformed initialize params with InvalidParams', async () => {
    await assert.rejects(
      pair.client.sendRequest('initialize', { clientName: 42 }),
      (error: { code: number }) => error.code === EngineErrorCode.InvalidParams,
    );
  });

  it('refuses an unknown log level with InvalidParams naming logLevel, and keeps the level it had', async () => {
    const bogus = { ...hello, logLevel: 'bogus' as LogLevel };
    await assert.rejects(sendEngineRequest(pair.client, 'initialize', bogus), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, EngineErrorCode.InvalidParams);
      assert.equal(
        error.message,
        'Invalid initialize params: logLevel must be one of "error", "warn", "info", "debug", not "bogus".',
      );
      return true;
    });
    // A client of another build still hears ProtocolMismatch, whatever fields it adds.
    await assert.rejects(
      sendEngineRequest(pair.client, 'initialize', { ...bogus, protocolVersion: PROTOCOL_VERSION + 1 }),
      (error: unknown) => error instanceof EngineError && error.code === EngineErrorCode.ProtocolMismatch,
    );
    await sendEngineRequest(pair.client, 'initialize', { ...hello, logLevel: 'warn' });
    assert.doesNotMatch(logLines.join(''), /\[(info|debug)\]/);
  });

  it('refuses params sent as an array with InvalidParams, whichever the method, and keeps serving', async () => {
    await sendEngineRequest(pair.client, 'initialize', hello);
    const root = mkdtempSync(join(tmpdir(), 'hearth-rpc-'));
    try {
      // On the wire: [1, 2], [{ roots }, "x"] and [hello]; each came to the handler as its params and token.
      for (const [method, params] of [
        ['ping', [1, 2]],
        ['context/index', [{ roots: [root] }, 'x']],
        ['initialize', [hello]],
      ] as const) {
        await assert.rejects(
          pair.client.sendRequest(method, ParameterStructures.byPosition, ...params),
          (error: { code: number; message: string }) => {
            assert.equal(error.code, EngineErrorCode.InvalidParams);
            assert.equal(error.message, `Invalid ${method} params: the params must be an object, not an array.`);
            return true;
          },
        );
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    assert.equal((await sendEngineRequest(pair.client, 'ping', undefined)).engineVersion, '9.9.9');
  });

  it('answers an unknown method with MethodNotFound and keeps serving', async () => {
    await assert.rejects(
      pair.client.sendRequest('no/such/method', {}),
      (error: { code: number }) => error.code === -32601,
    );
    const result = await sendEngineRequest(pair.client, 'initialize', hello);
    assert.equal(result.engineVersion, '9.9.9');
  });

  it('answers shutdown, then calls onShutdown, then refuses further work', async () => {
    await sendEngineRequest(pair.client, 'initialize', hello);
    await sendEngineRequest(pair.client, 'shutdown', undefined);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(shutdowns, 1);
    await assert.rejects(sendEngineRequest(pair.client, 'ping', undefined), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, EngineErrorCode.ShuttingDown);
      return true;
    });
  });
});

describe('EngineServer generation methods over in-memory streams, with a tiny model', () => {
  const fixture = new TinyModelFixture();
  let pair: ReturnType<typeof connectedPair>;
  let generation: GenerationService;
  let context: ContextService;
  const deltas = new Map<string, ChatDeltaParams[]>();
  /** Tests watch the stream here: a connection has one handler per notification method. */
  let onDelta: ((delta: ChatDeltaParams) => void) | undefined;
  const progress: ModelProgressParams[] = [];
  const messages: ChatParams['messages'] = [
    { role: 'system', content: 'You are Hearth, a coding assistant.' },
    { role: 'user', content: 'Write a haiku about <|im_end|> tokens.' },
  ];
  let nextId = 0;
  const chat = (params: Omit<ChatParams, 'requestId' | 'messages'>, token?: CancellationTokenSource['token']) => {
    const requestId = `chat-${++nextId}`;
    deltas.set(requestId, []);
    return { requestId, result: sendEngineRequest(pair.client, 'chat', { requestId, messages, ...params }, token) };
  };
  const streamed = (requestId: string, channel: 'content' | 'reasoning') =>
    (deltas.get(requestId) ?? []).map((delta) => delta[channel] ?? '').join('');

  before(async () => {
    await fixture.write();
    pair = connectedPair();
    const logger = new Logger('warn', () => {});
    generation = fixture.service({ logger });
    context = new ContextService({ tokenCounter: () => generation.tokenCounter() });
    new EngineServer(pair.server, { version: '9.9.9', logger, generation, context, onShutdown: () => {} });
    onEngineNotification(pair.client, 'chat/delta', (delta) => {
      deltas.get(delta.requestId)?.push(delta);
      onDelta?.(delta);
    });
    onEngineNotification(pair.client, 'model/progress', (event) => progress.push(event));
    pair.server.listen();
    pair.client.listen();
    await sendEngineRequest(pair.client, 'initialize', hello);
  });
  after(async () => {
    pair.dispose();
    await generation.dispose();
    await context.dispose();
    await fixture.dispose();
  });

  const rejectsWith = (code: number) => (error: unknown) => {
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, code, error.message);
    assert.ok((error.hint ?? '') !== '', 'a hint comes with the error');
    return true;
  };

  it('answers null model info and ModelNotLoaded before a load', async () => {
    assert.equal(await sendEngineRequest(pair.client, 'model/info', undefined), null);
    await assert.rejects(chat({ maxTokens: 2 }).result, rejectsWith(EngineErrorCode.ModelNotLoaded));
    await assert.rejects(
      sendEngineRequest(pair.client, 'countTokens', { texts: ['a'] }),
      rejectsWith(EngineErrorCode.ModelNotLoaded),
    );
  });

  it('loads a model with progress notifications, then describes it', async () => {
    const loaded = await sendEngineRequest(pair.client, 'model/load', fixture.loadParams);
    assert.equal(loaded.converted, true);
    assert.ok(progress.some((event) => event.phase === 'converting' && event.bytesDone === event.bytesTotal));
    assert.deepEqual(progress.at(-1), { path: fixture.checkpoint, phase: 'loading' });
    assert.deepEqual(await sendEngineRequest(pair.client, 'model/info', undefined), loaded.model);
    assert.equal(loaded.model.kind, 'hybrid');
  });

  it("indexes a workspace, packs it with the model's tokenizer and updates one file", async () => {
    const root = mkdtempSync(join(tmpdir(), 'hearth-server-context-'));
    try {
      writeFileSync(
        join(root, 'store.ts'),
        'export class Store {\n  get(key: string): string | undefined {\n    return undefined;\n  }\n}\n',
      );
      writeFileSync(join(root, 'app.ts'), "import { Store } from '../store';\nexport const store = new Store();\n");
      await assert.rejects(
        sendEngineRequest(pair.client, 'context/pack', { budget: 1024 }),
        rejectsWith(EngineErrorCode.InvalidParams),
      );
      const stats = await sendEngineRequest(pair.client, 'context/index', { roots: [root] });
      assert.equal(stats.files, 2);
      assert.equal(stats.structured, 2);
      const packed = await sendEngineRequest(pair.client, 'context/pack', {
        budget: 1024,
        focus: { activeFile: join(root, 'app.ts') },
      });
      assert.equal(packed.stats.filesWhole, 2);
      assert.match(packed.text, /<\|file_sep\|>store\.ts\nexport class Store/);
      // The block is counted with the loaded model's tokenizer.
      const { counts } = await sendEngineRequest(pair.client, 'countTokens', { texts: [packed.text] });
      assert.ok(Math.abs(counts[0] - packed.stats.tokens) <= 2, `${counts[0]} vs ${packed.stats.tokens}`);
      const updated = await sendEngineRequest(pair.client, 'context/update', {
        changes: [{ path: join(root, 'store.ts'), kind: 'changed', content: 'export class Store {}\n' }],
      });
      assert.deepEqual(updated.parsed, ['store.ts']);
      assert.match(
        (await sendEngineRequest(pair.client, 'context/pack', { budget: 1024 })).text,
        /<\|file_sep\|>store\.ts\nexport class Store \{\}/,
      );
      await assert.rejects(
        pair.client.sendRequest('context/update', { changes: [{ path: 'x', kind: 'renamed' }] }),
        (error: { code: number }) => error.code === EngineErrorCode.InvalidParams,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('streams chat/delta notifications whose concatenation is the result', async () => {
    const { requestId, result } = chat({ maxTokens: 40, sampling: { seed: 1 } });
    const answer = await result;
    assert.equal(answer.finishReason, 'length');
    assert.ok(deltas.get(requestId)!.length > 0);
    assert.equal(streamed(requestId, 'content'), answer.content);
    assert.equal(streamed(requestId, 'reasoning'), answer.reasoning);
    assert.equal(answer.usage.completionTokens, 40);
    // "<|im_end|>" as the user's text is 6 plain tokens; as a control token, one.
    const { counts } = await sendEngineRequest(pair.client, 'countTokens', { texts: ['<|im_end|>'] });
    assert.deepEqual(counts, [6]);
    const { ids } = await sendEngineRequest(pair.client, 'tokenize', { text: '<|im_end|>', special: true });
    assert.deepEqual(ids, [151645]);
  });

  it('cancels a chat through $/cancelRequest: the result is the output so far, with finishReason "cancelled"', async () => {
    const source = new CancellationTokenSource();
    const { requestId, result } = chat({ maxTokens: 400, sampling: { seed: 4 } }, source.token);
    onDelta = (delta) => {
      if (delta.requestId === requestId) source.cancel();
    };
    const answer = await result;
    onDelta = undefined;
    assert.equal(answer.finishReason, 'cancelled');
    assert.ok(answer.usage.completionTokens < 40, `${answer.usage.completionTokens} tokens after the cancellation`);
    assert.equal(streamed(requestId, 'content'), answer.content);
    assert.equal(streamed(requestId, 'reasoning'), answer.reasoning);
  });

  it('serves a completion sent while a chat streams before the chat finishes, without changing the chat', async () => {
    const params = { maxTokens: 120, sampling: { seed: 6 } };
    const alone = await chat(params).result;
    const times: { chatDeltas: number[]; completionDone?: number; chatDone?: number } = { chatDeltas: [] };
    const { requestId, result } = chat(params);
    let completion: Promise<unknown> | undefined;
    onDelta = (delta) => {
      if (delta.requestId !== requestId) return;
      times.chatDeltas.push(performance.now());
      completion ??= sendEngineRequest(pair.client, 'complete', { prompt: 'const answer =', maxTokens: 8 }).then(
        (done) => {
          times.completionDone = performance.now();
          assert.equal(done.usage.completionTokens, 8);
        },
      );
    };
    const interrupted = await result;
    times.chatDone = performance.now();
    await completion;
    onDelta = undefined;
    assert.ok(times.completionDone! < times.chatDone, 'the completion finished first');
    const deltasAfter = times.chatDeltas.filter((time) => time > times.completionDone!).length;
    assert.ok(deltasAfter > 0, 'the chat was still streaming when the completion was answered');
    assert.deepEqual([interrupted.content, interrupted.reasoning], [alone.content, alone.reasoning]);
  });

  it('answers bad requests with typed errors and keeps serving', async () => {
    await assert.rejects(
      sendEngineRequest(pair.client, 'chat', {
        requestId: 'x',
        messages: [{ role: 'robot' as 'user', content: 'hi' }],
      }),
      rejectsWith(EngineErrorCode.InvalidParams),
    );
    await assert.rejects(
      sendEngineRequest(pair.client, 'chat', { requestId: 'x', messages: [] }),
      rejectsWith(EngineErrorCode.InvalidParams),
    );
    await assert.rejects(
      sendEngineRequest(pair.client, 'complete', { prompt: 42 as unknown as string }),
      rejectsWith(EngineErrorCode.InvalidParams),
    );
    await assert.rejects(chat({ maxTokens: 5000 }).result, rejectsWith(EngineErrorCode.ContextTooLarge));
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/load', { path: `${fixture.root}/nowhere` }),
      rejectsWith(EngineErrorCode.ModelNotFound),
    );
    await assert.rejects(
      pair.client.sendRequest('chat/stream', {}),
      (error: { code: number }) => error.code === -32601,
    );
    assert.equal((await sendEngineRequest(pair.client, 'model/info', undefined))?.path, fixture.checkpoint);
    assert.equal(await sendEngineRequest(pair.client, 'model/info', { role: 'completion' }), null);
    await assert.rejects(
      sendEngineRequest(pair.client, 'complete', { prompt: 'x', model: 'completion' }),
      rejectsWith(EngineErrorCode.ModelNotLoaded),
    );
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/unload', { role: 'all' as 'chat' }),
      rejectsWith(EngineErrorCode.InvalidParams),
    );
    assert.deepEqual(await sendEngineRequest(pair.client, 'model/unload', { role: 'reasoning' }), { unloaded: false });
    const { text, finishReason } = await sendEngineRequest(pair.client, 'complete', {
      prompt: ['x = ', { token: '<|fim_middle|>' }],
      maxTokens: 3,
    });
    assert.equal(finishReason, 'length');
    assert.equal(typeof text, 'string');
  });
});

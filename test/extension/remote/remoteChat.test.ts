/**
 * The remote chat against a real `hearth serve` (the built CLI on the tiny synthetic checkpoint) and against a
 * local server replaying the answer shapes of other servers: reasoning in either field or in tags, usage with
 * cached tokens, cancellation, and each failure as a typed error that says what to do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { SYNTHETIC_GEOMETRIES } from '../../../src/engine/synthetic/syntheticConfig';
import type { ChatDelta } from '../../../src/extension/chat/chatStream';
import { RemoteChat } from '../../../src/extension/remote/remoteChat';
import { RemoteCompletion } from '../../../src/extension/remote/remoteCompletion';
import { listRemoteModels } from '../../../src/extension/remote/remoteModels';
import { RemoteTokenCounter } from '../../../src/extension/remote/remoteTokenCounter';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode, type ChatParams } from '../../../src/shared/protocol';
import { startServe, variantOf, type ServeProcess } from '../../helpers/serveProcess';
import { ReplayServer } from './replayServer';
import { REASONING_CONTENT_FIELD, REASONING_FIELD, THINK_TAGS_IN_CONTENT } from './sseTranscripts';

const question: Omit<ChatParams, 'requestId'> = { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 };

async function run(chat: RemoteChat, params = question, signal = new AbortController().signal) {
  const deltas: ChatDelta[] = [];
  const result = await chat.run(params, (delta) => deltas.push(delta), signal);
  return { result, deltas };
}

function assertEngineError(code: EngineErrorCode, message: RegExp, hint?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    if (hint !== undefined) assert.match(error.hint ?? '', hint);
    return true;
  };
}

describe('RemoteChat against hearth serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-remote-'));
  const checkpoint = join(dir, 'tiny');
  let serve: ServeProcess;
  let thinking: ServeProcess;
  const args = (path: string) => [
    '--model',
    path,
    '--cache-dir',
    join(dir, 'cache'),
    '--threads',
    '1',
    '--context',
    '512',
  ];

  before(async () => {
    await writeSyntheticCheckpoint({
      outDir: checkpoint,
      geometry: { ...SYNTHETIC_GEOMETRIES.tiny, maxPositionEmbeddings: 4096 },
      dtype: 'fp8',
      seed: 1,
      arch: 'qwen3',
      tied: true,
    });
    serve = await startServe([...args(checkpoint), '--api-key', 'secret']);
    thinking = await startServe(args(variantOf(checkpoint, join(dir, 'thinking'), 'thinking-2507')));
  });
  after(async () => {
    await serve?.stop();
    await thinking?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams an answer with usage, and the repeat comes from the server prefix cache', async () => {
    const chat = new RemoteChat({ baseUrl: serve.url, model: 'tiny', apiKey: 'secret' });
    const params = { ...question, thinking: 'off' as const, sampling: { seed: 5 } };
    const first = await run(chat, params);
    assert.equal(first.result.finishReason, 'length');
    assert.equal(first.result.usage.completionTokens, 8);
    assert.equal(first.result.content, first.deltas.map((d) => d.content ?? '').join(''));
    assert.equal(first.result.reasoning, '');
    assert.equal(first.result.seed, 5);
    const second = await run(chat, params);
    assert.equal(second.result.content, first.result.content);
    assert.equal(second.result.usage.cachedTokens, second.result.usage.promptTokens - 1);
  });

  it('reads the reasoning a thinking model streams in reasoning_content', async () => {
    const { result, deltas } = await run(new RemoteChat({ baseUrl: thinking.url, model: 'thinking' }));
    assert.ok(result.reasoning.length > 0);
    assert.equal(result.content, '');
    assert.equal(result.reasoning, deltas.map((d) => d.reasoning ?? '').join(''));
    assert.equal(result.thinking.enabled, true);
  });

  it('returns what came so far when cancelled', async () => {
    const chat = new RemoteChat({ baseUrl: serve.url, model: 'tiny', apiKey: 'secret' });
    const abort = new AbortController();
    let received = 0;
    const result = await chat.run(
      { ...question, maxTokens: 400 },
      (delta) => {
        received += (delta.content ?? '').length;
        if (received > 0) abort.abort();
      },
      abort.signal,
    );
    assert.equal(result.finishReason, 'cancelled');
    assert.ok(result.content.length > 0);
  });

  it('lists the server models with their context length', async () => {
    const models = await listRemoteModels({ baseUrl: serve.url, apiKey: 'secret' }, new AbortController().signal);
    assert.deepEqual(models, [{ id: 'tiny', contextLength: 512 }]);
    await assert.rejects(
      listRemoteModels({ baseUrl: serve.url }, new AbortController().signal),
      assertEngineError(EngineErrorCode.Unauthorized, /refused the API key/),
    );
  });

  it('completes a prompt greedily, and reports a model that cannot fill in the middle', async () => {
    const completion = new RemoteCompletion({ baseUrl: serve.url, model: 'tiny', apiKey: 'secret' });
    const signal = new AbortController().signal;
    const first = await completion.run({ prompt: 'def add(a, b):', maxTokens: 4 }, signal);
    const second = await completion.run({ prompt: 'def add(a, b):', maxTokens: 4 }, signal);
    assert.equal(first.finishReason, 'length');
    assert.equal(first.usage.completionTokens, 4);
    assert.equal(second.text, first.text);
    await assert.rejects(
      completion.run({ fim: { prefix: 'def add(a, b):\n', suffix: '\n' }, maxTokens: 4 }, signal),
      assertEngineError(EngineErrorCode.UnsupportedModel, /cannot fill in the middle/, /chat form/),
    );
  });

  it("counts tokens with the server's tokenizer on /tokenize", async () => {
    const counter = new RemoteTokenCounter({ baseUrl: serve.url, model: 'tiny', apiKey: 'secret' });
    assert.equal(await counter.count('Hello world<|im_end|>', new AbortController().signal), 8);
  });

  it('says what to do about a wrong key, an unknown model and a conversation too long', async () => {
    await assert.rejects(
      run(new RemoteChat({ baseUrl: serve.url, model: 'tiny', apiKey: 'wrong' })),
      assertEngineError(EngineErrorCode.Unauthorized, /refused the API key \(401\)/, /Hearth: Set API Key/),
    );
    await assert.rejects(
      run(new RemoteChat({ baseUrl: serve.url, model: 'qwen-72b', apiKey: 'secret' })),
      assertEngineError(EngineErrorCode.ModelNotFound, /has no model "qwen-72b"/, /Hearth: Select Model/),
    );
    const long = { ...question, messages: [{ role: 'user' as const, content: 'word '.repeat(2000) }] };
    await assert.rejects(
      run(new RemoteChat({ baseUrl: serve.url, model: 'tiny', apiKey: 'secret' }), long),
      assertEngineError(EngineErrorCode.ContextTooLarge, /longer than the model server's context/),
    );
  });
});

describe('RemoteChat on the answer shapes of other servers', () => {
  const replay = new ReplayServer();
  let chat: RemoteChat;
  let chatUrl = '';
  before(async () => {
    chatUrl = await replay.start();
    chat = new RemoteChat({ baseUrl: chatUrl, model: 'qwen3' });
  });
  after(() => replay.stop());

  for (const [name, transcript] of [
    ['reasoning_content', REASONING_CONTENT_FIELD],
    ['<think> tags in the content', THINK_TAGS_IN_CONTENT],
    ['reasoning', REASONING_FIELD],
  ] as const) {
    it(`reads the reasoning from ${name}, never into the answer`, async () => {
      replay.respond = ReplayServer.sse(transcript);
      const { result } = await run(chat);
      assert.equal(result.reasoning, 'The user greets; reply briefly.');
      assert.equal(result.content, 'Hello there!');
      assert.equal(result.finishReason, 'stop');
      assert.deepEqual(
        [result.usage.promptTokens, result.usage.cachedTokens, result.usage.completionTokens],
        [30, 24, 9],
      );
    });
  }

  it('keeps the partial answer and says so when the stream is cut mid-answer', async () => {
    replay.respond = ReplayServer.sse(REASONING_CONTENT_FIELD, { cutAfter: 4 });
    const deltas: ChatDelta[] = [];
    await assert.rejects(
      chat.run(question, (delta) => deltas.push(delta), new AbortController().signal),
      assertEngineError(EngineErrorCode.RemoteStreamCut, /./),
    );
    assert.equal(deltas.map((d) => d.content ?? '').join(''), 'Hello');
  });

  it('says the server is busy with its retry-after, or failed with a 5xx', async () => {
    replay.respond = ReplayServer.status(429, { error: { message: 'busy' } }, { 'retry-after': '7' });
    await assert.rejects(run(chat), assertEngineError(EngineErrorCode.TooManyRequests, /retry after 7 s/));
    replay.respond = ReplayServer.status(500, { error: { message: 'CUDA out of memory' } });
    await assert.rejects(
      run(chat),
      assertEngineError(EngineErrorCode.RemoteServerError, /failed the request \(500\): CUDA out of memory/),
    );
  });

  it('counts no tokens on a server without /tokenize, and asks it once', async () => {
    let asked = 0;
    replay.respond = (response) => {
      asked++;
      ReplayServer.status(404, { error: { message: 'Not Found' } })(response);
    };
    const counter = new RemoteTokenCounter({ baseUrl: chatUrl, model: 'qwen3' });
    assert.equal(await counter.count('Hello', new AbortController().signal), undefined);
    assert.equal(await counter.count('Hello', new AbortController().signal), undefined);
    assert.equal(asked, 1);
  });

  it("counts with llama.cpp server's /tokenize, which reads `content`", async () => {
    // llama-server's handle_tokenize answers `{ tokens: [] }` to a body without `content`.
    replay.respond = (response, request) =>
      ReplayServer.status(200, { tokens: typeof request.body.content === 'string' ? [9707, 1879] : [] })(response);
    const counter = new RemoteTokenCounter({ baseUrl: chatUrl, model: 'qwen3' });
    assert.equal(await counter.count('Hello world', new AbortController().signal), 2);
    assert.equal(replay.received.at(-1)?.path, '/tokenize');
  });

  it('stops trusting a /tokenize that counts no tokens in a text', async () => {
    replay.respond = ReplayServer.status(200, { tokens: [] });
    const counter = new RemoteTokenCounter({ baseUrl: chatUrl, model: 'qwen3' });
    assert.equal(await counter.count('', new AbortController().signal), 0);
    assert.equal(await counter.count('Hello', new AbortController().signal), undefined);
    const asked = replay.received.length;
    assert.equal(await counter.count('Hello', new AbortController().signal), undefined);
    assert.equal(replay.received.length, asked);
  });

  it('says the server is down or the URL wrong when nothing answers', async () => {
    const down = new ReplayServer();
    const url = await down.start();
    await down.stop();
    await assert.rejects(
      run(new RemoteChat({ baseUrl: url, model: 'qwen3' })),
      assertEngineError(EngineErrorCode.RemoteUnreachable, /did not answer/, /hearth\.engine\.url/),
    );
  });
});

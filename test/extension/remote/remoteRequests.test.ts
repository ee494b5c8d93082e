/**
 * What the remote engine sends, read from a local server's received requests: thinking through
 * `chat_template_kwargs` and the soft switch once a server rejects it, fill-in-the-middle as prompt + suffix,
 * warm-ups of one token, and a model that refuses `suffix` reported so completions use the chat form.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Emitter } from 'vscode-jsonrpc';
import type { ChatEngine } from '../../../src/extension/chat/chatStream';
import type { RemoteServer } from '../../../src/extension/remote/remoteChat';
import { RemoteChat } from '../../../src/extension/remote/remoteChat';
import { completionPrompt } from '../../../src/extension/remote/remoteCompletion';
import { RemoteEngine } from '../../../src/extension/remote/remoteEngine';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode, type PromptPart } from '../../../src/shared/protocol';
import { ReplayServer } from './replayServer';
import { REASONING_CONTENT_FIELD } from './sseTranscripts';

const signal = () => new AbortController().signal;
const token = (text: string): PromptPart => ({ token: text });

/** The local engine's part: these tests send it nothing. */
const noLocalEngine: ChatEngine = {
  request: (method) => Promise.reject(new Error(`unexpected local request ${method}`)),
  onNotification: () => new Emitter<void>().event(() => undefined),
};

/** A streamed /v1/completions answer, as vLLM and hearth serve send it with `include_usage`. */
const completionChunk = (text: string, finish: string | null, extra: object = {}) => ({
  id: 'cmpl-1',
  object: 'text_completion',
  created: 1,
  model: 'qwen2.5-coder:7b',
  choices: [{ index: 0, text, finish_reason: finish, logprobs: null }],
  ...extra,
});
const completion = [
  completionChunk('a + ', null),
  completionChunk('b', null),
  completionChunk('', 'stop'),
  { ...completionChunk('', null), choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } },
];

describe('remote requests as the server receives them', () => {
  const replay = new ReplayServer();
  let url = '';
  before(async () => {
    url = await replay.start();
  });
  beforeEach(() => replay.received.splice(0));
  after(() => replay.stop());

  it('asks for thinking with chat_template_kwargs, and with /no_think once the server rejects the field', async () => {
    replay.respond = (response, request) =>
      request.body.chat_template_kwargs === undefined
        ? ReplayServer.sse(REASONING_CONTENT_FIELD)(response)
        : ReplayServer.status(400, { error: { message: 'Unrecognized request argument: chat_template_kwargs' } })(
            response,
          );
    const chat = new RemoteChat({ baseUrl: url, model: 'qwen3:8b' });
    const ask = { messages: [{ role: 'user' as const, content: 'Hi' }], thinking: 'off' as const };
    const first = await chat.run(ask, () => undefined, signal());
    assert.equal(first.content, 'Hello there!');
    const second = await chat.run({ ...ask, thinking: 'on' }, () => undefined, signal());
    assert.equal(second.content, 'Hello there!');
    // Rejected, then resent with the soft switch; the next question goes straight to the soft switch.
    assert.deepEqual(
      replay.received.map(({ body }) => [
        body.chat_template_kwargs,
        (body.messages as { content: string }[])[0].content,
      ]),
      [
        [{ enable_thinking: false }, 'Hi'],
        [undefined, 'Hi /no_think'],
        [undefined, 'Hi /think'],
      ],
    );
  });

  it("adds no soft switch to a model that is not Qwen3's hybrid", async () => {
    replay.respond = (response, request) =>
      request.body.chat_template_kwargs === undefined
        ? ReplayServer.sse(REASONING_CONTENT_FIELD)(response)
        : ReplayServer.status(422, { error: { message: 'extra field enable_thinking not permitted' } })(response);
    const chat = new RemoteChat({ baseUrl: url, model: 'llama3.1:8b' });
    await chat.run({ messages: [{ role: 'user', content: 'Hi' }], thinking: 'off' }, () => undefined, signal());
    assert.deepEqual(
      replay.received.map(({ body }) => (body.messages as { content: string }[])[0].content),
      ['Hi', 'Hi'],
    );
  });

  it("sends Qwen2.5-Coder's FIM layout as prompt + suffix, the typed line ending the prompt", () => {
    const parts: PromptPart[] = [
      token('<|repo_name|>'),
      'hearth\n',
      token('<|file_sep|>'),
      'src/other.ts\nexport const x = 1;\n',
      token('<|file_sep|>'),
      'src/add.ts\n',
      token('<|fim_prefix|>'),
      'function add(a, b) {\n',
      token('<|fim_suffix|>'),
      ';\n}\n',
      token('<|fim_middle|>'),
      '  return ',
    ];
    assert.deepEqual(completionPrompt({ prompt: parts }), {
      prompt: 'function add(a, b) {\n  return ',
      suffix: ';\n}\n',
    });
    assert.deepEqual(completionPrompt({ fim: { prefix: 'a', suffix: 'b' } }), { prompt: 'a', suffix: 'b' });
    assert.deepEqual(completionPrompt({ prompt: [token('<|im_start|>'), 'user\nHi'] }), {
      prompt: '<|im_start|>user\nHi',
    });
  });

  it('completes with suffix, warms up with one token, and reports a model that refuses suffix', async () => {
    const refused: RemoteServer[] = [];
    const server = { baseUrl: url, model: 'qwen2.5-coder:7b' };
    const engine = new RemoteEngine(noLocalEngine, () => Promise.resolve(server), {
      onFimRefused: (which) => refused.push(which),
    });
    replay.respond = ReplayServer.sse(completion);
    const fim = { fim: { prefix: 'function add(a, b) {\n  return ', suffix: ';\n}\n' }, maxTokens: 48, stop: ['\n'] };
    const result = await engine.request('complete', fim);
    assert.deepEqual(
      [result.text, result.finishReason, result.usage.promptTokens, result.usage.completionTokens],
      ['a + b', 'stop', 12, 3],
    );
    await engine.request('complete', { ...fim, warmUp: true });
    assert.deepEqual(
      replay.received.map(({ path, body }) => [path, body.prompt, body.suffix, body.max_tokens, body.stop]),
      [
        ['/v1/completions', fim.fim.prefix, fim.fim.suffix, 48, ['\n']],
        ['/v1/completions', fim.fim.prefix, fim.fim.suffix, 1, ['\n']],
      ],
    );
    assert.deepEqual(refused, []);

    replay.respond = ReplayServer.status(400, { error: { message: 'suffix is not currently supported' } });
    await assert.rejects(
      engine.request('complete', fim),
      (error: unknown) => error instanceof EngineError && error.code === EngineErrorCode.UnsupportedModel,
    );
    assert.deepEqual(refused, [server]);
    engine.dispose();
  });

  it("estimates token counts when the server has no /tokenize and Hearth has not the model's tokenizer", async () => {
    replay.respond = ReplayServer.status(404, { error: { message: 'Not Found' } });
    const engine = new RemoteEngine(noLocalEngine, () => Promise.resolve({ baseUrl: url, model: 'llama3.2:3b' }));
    const { counts } = await engine.request('countTokens', { texts: ['abcdefg', 'héé'] });
    assert.deepEqual(counts, [3, 2]);
    assert.deepEqual(
      replay.received.map(({ path }) => path),
      ['/tokenize'],
    );
    engine.dispose();
  });
});

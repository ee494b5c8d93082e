/**
 * `hearth serve` through the built CLI on a tiny synthetic Qwen3 checkpoint (random weights, the real tokenizer
 * and chat template), with the official openai client: models, chat streamed and whole, thinking, tools,
 * completions, a client that disconnects mid-stream, and the error statuses.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { SYNTHETIC_GEOMETRIES } from '../../../src/engine/synthetic/syntheticConfig';
import { startServe, variantOf, type ServeProcess } from '../../helpers/serveProcess';

const KEY = 'test-key';
const CONTEXT = 512;
/** The body fields vLLM and SGLang add to OpenAI's, which the client passes through untyped. */
type Extra = { chat_template_kwargs?: { enable_thinking: boolean }; top_k?: number };
type ChatBody = OpenAI.ChatCompletionCreateParamsNonStreaming & Extra;
type ChatStreamBody = OpenAI.ChatCompletionCreateParamsStreaming & Extra;
type Delta = OpenAI.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };

const dir = mkdtempSync(join(tmpdir(), 'hearth-serve-'));
const checkpoint = join(dir, 'tiny');
const cacheDir = join(dir, 'cache');
const modelArgs = (path: string) => [
  '--model',
  path,
  '--cache-dir',
  cacheDir,
  '--threads',
  '1',
  '--context',
  String(CONTEXT),
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
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function streamChat(client: OpenAI, body: ChatStreamBody, signal?: AbortSignal) {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of await client.chat.completions.create(body, { signal })) chunks.push(chunk);
  const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta as Delta));
  return {
    chunks,
    content: deltas.map((delta) => delta.content ?? '').join(''),
    reasoning: deltas.map((delta) => delta.reasoning_content ?? '').join(''),
    finish: chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter((f) => f !== null),
  };
}

describe('hearth serve (built CLI, hybrid Qwen3 template)', () => {
  let serve: ServeProcess;
  let client: OpenAI;
  const chat = (content: string, extra: Partial<ChatBody> = {}): ChatBody => ({
    model: 'tiny',
    messages: [{ role: 'user', content }],
    max_tokens: 8,
    seed: 7,
    ...extra,
  });

  before(async () => {
    serve = await startServe([...modelArgs(checkpoint), '--api-key', KEY]);
    client = new OpenAI({ baseURL: serve.url, apiKey: KEY, maxRetries: 0 });
  });
  after(async () => assert.equal(await serve?.stop(), 0, serve?.stderr()));

  it('lists the model with its context length, and is healthy', async () => {
    const models = await client.models.list();
    assert.deepEqual(models.data, [
      { id: 'tiny', object: 'model', created: 0, owned_by: 'hearth', max_model_len: CONTEXT },
    ]);
    const health = await fetch(serve.url.replace(/\/v1$/, '/health'));
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', requests_running: 0, prefix_cache_bytes: 0 });
  });

  it('counts tokens with the model tokenizer on /tokenize, as vLLM does', async () => {
    const response = await fetch(serve.url.replace(/\/v1$/, '/tokenize'), {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', prompt: 'Hello world<|im_end|>' }),
    });
    assert.equal(response.status, 200);
    // Qwen3's ids for "Hello", " world", then the control token as plain text: "<", "|", "im", "_end", "|", ">".
    assert.deepEqual(await response.json(), {
      count: 8,
      max_model_len: CONTEXT,
      tokens: [9707, 1879, 27, 91, 318, 6213, 91, 29],
    });
    // llama.cpp server's body: `content`, no model.
    const llamaCpp = await fetch(serve.url.replace(/\/v1$/, '/tokenize'), {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'Hello world' }),
    });
    assert.deepEqual(((await llamaCpp.json()) as { tokens: number[] }).tokens, [9707, 1879]);
  });

  it('answers a chat whole and streamed with the same text for the same seed, with usage and cached tokens', async () => {
    const whole = await client.chat.completions.create(chat('Name three colours.'));
    const [choice] = whole.choices;
    assert.equal(choice.finish_reason, 'length');
    assert.equal(choice.message.role, 'assistant');
    assert.equal(typeof choice.message.content, 'string');
    assert.ok(choice.message.content!.length > 0);
    assert.equal('reasoning_content' in choice.message, false);
    assert.equal(whole.usage?.completion_tokens, 8);
    const promptTokens = whole.usage.prompt_tokens;
    assert.equal(whole.usage?.total_tokens, promptTokens + 8);

    const streamed = await streamChat(client, {
      ...chat('Name three colours.'),
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(streamed.content, choice.message.content);
    assert.deepEqual(streamed.finish, ['length']);
    assert.deepEqual((streamed.chunks[0].choices[0].delta as Delta).role, 'assistant');
    const last = streamed.chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage?.prompt_tokens, promptTokens);
    assert.equal(last.usage?.completion_tokens, 8);
    // The same conversation again: its prompt (but the last token, which is recomputed for its logits) is cached.
    assert.equal(last.usage?.prompt_tokens_details?.cached_tokens, promptTokens - 1);
  });

  it('renders enable_thinking through the template: off adds the empty think block of four tokens', async () => {
    const on = await client.chat.completions.create(chat('Hi', { chat_template_kwargs: { enable_thinking: true } }));
    const off = await client.chat.completions.create(chat('Hi', { chat_template_kwargs: { enable_thinking: false } }));
    assert.equal(off.usage!.prompt_tokens - on.usage!.prompt_tokens, 4);
    assert.equal('reasoning_content' in off.choices[0].message, false);
  });

  it('takes tools and a tool-call round trip through the chat template', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather in a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"celsius": 21}' },
    ];
    const withTools = await client.chat.completions.create({ ...chat(''), messages, tools });
    const without = await client.chat.completions.create({ ...chat(''), messages, tools, tool_choice: 'none' });
    assert.equal(withTools.choices[0].finish_reason, 'length');
    // The tool list is in the system turn only when the tools are offered.
    assert.ok(withTools.usage!.prompt_tokens > without.usage!.prompt_tokens + 50);
    await assert.rejects(client.chat.completions.create({ ...chat('x'), tools, tool_choice: 'required' }), {
      status: 400,
      param: 'tool_choice',
    });
  });

  it('completes a prompt, and refuses a suffix on a model that is not FIM-trained', async () => {
    const completion = await client.completions.create({ model: 'tiny', prompt: 'def add(a, b):', max_tokens: 5 });
    assert.equal(completion.object, 'text_completion');
    assert.equal(completion.choices[0].finish_reason, 'length');
    assert.equal(completion.usage?.completion_tokens, 5);
    assert.ok(completion.choices[0].text.length > 0);
    const streamed = await client.completions.create({
      model: 'tiny',
      prompt: 'def add(a, b):',
      max_tokens: 5,
      stream: true,
    });
    let text = '';
    for await (const chunk of streamed) text += chunk.choices[0]?.text ?? '';
    assert.equal(text, completion.choices[0].text, 'greedy by default: the same text');
    await assert.rejects(
      client.completions.create({ model: 'tiny', prompt: 'def add(a, b):', suffix: '\n', max_tokens: 5 }),
      (error: InstanceType<typeof OpenAI.APIError>) => {
        assert.equal(error.status, 400);
        assert.equal(error.param, 'suffix');
        assert.match(error.message, /tiny is not FIM-trained/);
        return true;
      },
    );
  });

  it('serves concurrent streams without mixing them: each gets the answer it gets alone', async () => {
    const questions = ['Name a colour.', 'Name a fruit.', 'Name a city.'];
    const body = (content: string, seed: number): ChatStreamBody => ({
      ...chat(content, { seed, max_tokens: 12 }),
      stream: true,
    });
    const alone = [];
    for (const [index, question] of questions.entries()) alone.push(await streamChat(client, body(question, index)));
    const together = await Promise.all(questions.map((question, index) => streamChat(client, body(question, index))));
    for (const [index, stream] of together.entries()) {
      assert.equal(new Set(stream.chunks.map((chunk) => chunk.id)).size, 1, 'one id per stream');
      assert.equal(stream.content, alone[index].content);
    }
  });

  it('stops a stream whose client disconnects, and serves the next request', async () => {
    const abort = new AbortController();
    const stream = await client.chat.completions.create(
      { ...chat('Tell a long story.'), max_tokens: 400, stream: true },
      { signal: abort.signal },
    );
    let received = 0;
    // The openai client ends the iteration quietly when its signal aborts.
    for await (const chunk of stream) {
      received += chunk.choices.length;
      if (received === 3) abort.abort();
    }
    assert.equal(received, 3);
    const next = await client.chat.completions.create(chat('Hi'));
    assert.equal(next.choices[0].finish_reason, 'length');
    const health = (await (await fetch(serve.url.replace(/\/v1$/, '/health'))).json()) as Record<string, unknown>;
    assert.equal(health.requests_running, 0);
    // The abandoned stream's rows went into the prefix cache when the next request replaced them.
    assert.ok((health.prefix_cache_bytes as number) > 0, String(health.prefix_cache_bytes));
  });

  it('answers errors as OpenAI does, naming the field', async () => {
    const wrongKey = new OpenAI({ baseURL: serve.url, apiKey: 'nope', maxRetries: 0 });
    await assert.rejects(wrongKey.models.list(), {
      status: 401,
      code: 'invalid_api_key',
      type: 'authentication_error',
    });
    await assert.rejects(client.chat.completions.create({ ...chat('x'), model: 'gpt-4o' }), {
      status: 404,
      param: 'model',
      code: 'model_not_found',
    });
    await assert.rejects(client.embeddings.create({ model: 'tiny', input: 'x' }), {
      status: 404,
      code: 'unknown_route',
    });
    await assert.rejects(client.chat.completions.create(chat('x', { temperature: 5 })), {
      status: 400,
      param: 'temperature',
    });
    await assert.rejects(client.chat.completions.create(chat('x', { n: 2 })), { status: 400, param: 'n' });
    await assert.rejects(client.chat.completions.create(chat('x', { max_tokens: CONTEXT + 1 })), {
      status: 400,
      param: 'max_tokens',
    });
    await assert.rejects(client.chat.completions.create({ ...chat('x'), messages: [] }), {
      status: 400,
      param: 'messages',
    });
    await assert.rejects(
      client.chat.completions.create({ ...chat('x'), messages: [{ role: 'user', content: 'x'.repeat(4000) }] }),
      { status: 400, code: 'context_length_exceeded' },
    );
    const huge = await fetch(`${serve.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'x'.repeat(17 * 1024 * 1024) }] }),
    });
    assert.equal(huge.status, 413);
    assert.equal(((await huge.json()) as { error: { code: string } }).error.code, 'request_too_large');
  });
});

describe('hearth serve (built CLI, Thinking-2507 template)', () => {
  it('streams the reasoning in reasoning_content, never in content, and returns it whole the same', async () => {
    const serve = await startServe(modelArgs(variantOf(checkpoint, join(dir, 'thinking'), 'thinking-2507')));
    try {
      const client = new OpenAI({ baseURL: serve.url, apiKey: 'unused', maxRetries: 0 });
      const body = {
        model: 'thinking',
        messages: [{ role: 'user' as const, content: 'Why?' }],
        max_tokens: 10,
        seed: 3,
      };
      const streamed = await streamChat(client, { ...body, stream: true });
      assert.ok(streamed.reasoning.length > 0);
      assert.equal(streamed.content, '');
      const whole = await client.chat.completions.create(body);
      assert.equal((whole.choices[0].message as { reasoning_content?: string }).reasoning_content, streamed.reasoning);
      assert.equal(whole.choices[0].message.content, '');
    } finally {
      assert.equal(await serve.stop(), 0, serve.stderr());
    }
  });
});

describe('hearth serve (built CLI, a base model without chat template)', () => {
  it('fills in the middle with suffix', async () => {
    const serve = await startServe(modelArgs(variantOf(checkpoint, join(dir, 'base'), 'none')));
    try {
      const client = new OpenAI({ baseURL: serve.url, apiKey: 'unused', maxRetries: 0 });
      const fim = await client.completions.create({
        model: 'base',
        prompt: 'def add(a, b):\n',
        suffix: '\n\nprint(add(1, 2))',
        max_tokens: 6,
      });
      const plain = await client.completions.create({ model: 'base', prompt: 'def add(a, b):\n', max_tokens: 6 });
      // <|fim_prefix|>, <|fim_suffix|>, <|fim_middle|> and the suffix's tokens come on top of the prompt's.
      assert.ok(fim.usage!.prompt_tokens > plain.usage!.prompt_tokens + 3);
      assert.ok(['length', 'stop'].includes(fim.choices[0].finish_reason));
    } finally {
      assert.equal(await serve.stop(), 0, serve.stderr());
    }
  });
});

describe('hearth serve (built CLI, options)', () => {
  it('refuses another host than loopback without an API key, and says so', async () => {
    await assert.rejects(
      startServe([...modelArgs(checkpoint), '--host', '0.0.0.0']),
      /--host 0\.0\.0\.0 makes the model reachable from other machines: give --api-key KEY/,
    );
  });
});

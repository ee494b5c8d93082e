/**
 * Tool calls on the wire: a recorded Qwen3 answer (reasoning, text, two calls) replayed in token-sized deltas
 * through the server's chat route, read back by the openai client's own stream accumulator, which checks the
 * deltas are in OpenAI's shape (index, then id and name first, then argument pieces). The synthetic model
 * emits random tokens, so the engine here replays what a real model wrote.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { OpenAiServer } from '../../../src/engine/serve/openAiServer';
import type { ServeEngine } from '../../../src/engine/serve/routeContext';
import type { ChatParams, ChatResult, ModelInfo } from '../../../src/shared/protocol';

const REASONING = 'The user wants the weather in two cities; I call the tool twice.';
/** Qwen3-4B's answer to "Weather in Paris and Oslo?" with get_weather offered, cut where its tokens end. */
const ANSWER_PIECES = [
  'Let',
  ' me',
  ' check',
  '.\n\n',
  '<tool_call>',
  '\n',
  '{"',
  'name',
  '":',
  ' "',
  'get',
  '_weather',
  '",',
  ' "',
  'arguments',
  '":',
  ' {"',
  'city',
  '":',
  ' "',
  'Paris',
  '"}}\n',
  '</tool_call>',
  '\n',
  '<tool_call>',
  '\n{"name": "get_weather", "arguments": {"city": "Oslo"}}',
  '\n</tool_call>',
];

const MODEL: ModelInfo = {
  path: '/models/recorded',
  role: 'chat',
  architecture: 'qwen3',
  kind: 'hybrid',
  contextLength: 4096,
  nativeContextLength: 4096,
  quantization: 'int8',
  kvCache: 'float32',
  weightBytes: 0,
  hasFimTokens: true,
};

/** Replays the recorded answer; keeps the params the route sent, to check the tools reached the engine. */
class RecordedEngine implements ServeEngine {
  readonly requests: ChatParams[] = [];

  chat(params: unknown, onDelta: (delta: { requestId: string; reasoning?: string; content?: string }) => void) {
    const request = params as ChatParams;
    this.requests.push(request);
    onDelta({ requestId: request.requestId, reasoning: REASONING });
    for (const content of ANSWER_PIECES) onDelta({ requestId: request.requestId, content });
    const result: ChatResult = {
      finishReason: 'stop',
      content: ANSWER_PIECES.join(''),
      reasoning: REASONING,
      usage: {
        promptTokens: 120,
        cachedTokens: 100,
        completionTokens: 48,
        prefillTokensPerSecond: 1,
        decodeTokensPerSecond: 1,
        timeToFirstTokenMs: 1,
      },
      thinking: { enabled: true, decidedBy: 'request' },
      seed: 1,
    };
    return Promise.resolve(result);
  }

  complete(): never {
    throw new Error('not recorded');
  }

  tokenize(): never {
    throw new Error('not recorded');
  }

  modelInfo(): ModelInfo {
    return MODEL;
  }

  prefixCacheBytes(): number {
    return 0;
  }
}

describe('tool calls through the chat route', () => {
  const engine = new RecordedEngine();
  const server = new OpenAiServer({ engine, modelId: 'recorded' });
  let client: OpenAI;
  before(async () => {
    const { port } = await server.listen(0, '127.0.0.1');
    client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => server.close());

  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: 'function',
      function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    },
  ];
  const body = {
    model: 'recorded',
    messages: [{ role: 'user' as const, content: 'Weather in Paris and Oslo?' }],
    tools,
  };
  const expectedCalls = [
    { name: 'get_weather', arguments: '{"city": "Paris"}' },
    { name: 'get_weather', arguments: '{"city": "Oslo"}' },
  ];

  it('streams the calls as deltas the openai client assembles into tool_calls, with finish_reason tool_calls', async () => {
    const stream = client.chat.completions.stream({ ...body, stream_options: { include_usage: true } });
    const argumentPieces: string[] = [];
    stream.on('chunk', (chunk) => {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (call.id === undefined) argumentPieces.push(call.function?.arguments ?? '');
      }
    });
    const completion = await stream.finalChatCompletion();
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, 'Let me check.\n\n');
    assert.equal((choice.message as { reasoning_content?: string }).reasoning_content, REASONING);
    const calls = choice.message.tool_calls!.map((call) => {
      assert.equal(call.type, 'function');
      assert.match(call.id, /^call_[0-9a-f]{24}$/);
      return call.type === 'function' ? call.function : undefined;
    });
    assert.deepEqual(calls, expectedCalls);
    // The first call's arguments arrive in pieces as the model writes them, the closing brace held back.
    assert.deepEqual(argumentPieces.slice(0, 6), ['{"', 'city', '":', ' "', 'Paris', '"}']);
    assert.deepEqual(completion.usage, {
      prompt_tokens: 120,
      completion_tokens: 48,
      total_tokens: 168,
      prompt_tokens_details: { cached_tokens: 100 },
    });
    assert.deepEqual(engine.requests.at(-1)?.tools, tools);
  });

  it('answers the same calls whole, with content null when there is no text', async () => {
    const completion = await client.chat.completions.create(body);
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, 'Let me check.\n\n');
    assert.deepEqual(
      choice.message.tool_calls!.map((call) => (call.type === 'function' ? call.function : undefined)),
      expectedCalls,
    );
  });

  it('leaves <tool_call> text as content when the request offered no tools', async () => {
    const completion = await client.chat.completions.create({ ...body, tools: undefined });
    assert.equal(completion.choices[0].message.content, ANSWER_PIECES.join(''));
    assert.equal(completion.choices[0].finish_reason, 'stop');
  });
});

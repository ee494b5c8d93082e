/** OpenAI request bodies as the engine's chat params: messages, tools, sampling, thinking and limits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpenAiError } from '../../../src/engine/serve/openAiError';
import { chatParamsFrom } from '../../../src/engine/serve/requestMapping';
import { chatCompletionBody, parseBody } from '../../../src/engine/serve/requestSchemas';

const LIMIT = 1000;
const map = (body: object) => chatParamsFrom(parseBody(chatCompletionBody, { model: 'm', ...body }), 'r1', LIMIT);
const user = [{ role: 'user', content: 'Hi' }];

function assertField(body: object, param: string | null, message: RegExp): void {
  assert.throws(
    () => map(body),
    (error: unknown) => {
      assert.ok(error instanceof OpenAiError);
      assert.equal(error.status, 400);
      assert.equal(error.param, param);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('chatParamsFrom', () => {
  it('maps messages: developer as system, text parts joined, tool calls and results', () => {
    const params = map({
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather ' },
            { type: 'text', text: 'in Oslo?' },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"celsius": 3}' },
      ],
    });
    assert.deepEqual(params, {
      requestId: 'r1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: '', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', content: '{"celsius": 3}' },
      ],
      thinking: 'auto',
      sampling: {},
      stop: [],
    });
  });

  it('maps sampling (vLLM top_k -1 is off), thinking, stop and max_completion_tokens before max_tokens', () => {
    const params = map({
      messages: user,
      temperature: 0.7,
      top_p: 0.8,
      top_k: -1,
      min_p: 0.05,
      presence_penalty: 1.5,
      repetition_penalty: 1.1,
      seed: 42,
      stop: '###',
      max_tokens: 50,
      max_completion_tokens: 20,
      chat_template_kwargs: { enable_thinking: false },
    });
    assert.deepEqual(params.sampling, {
      temperature: 0.7,
      topP: 0.8,
      topK: 0,
      minP: 0.05,
      presencePenalty: 1.5,
      repetitionPenalty: 1.1,
      seed: 42,
    });
    assert.equal(params.thinking, 'off');
    assert.deepEqual(params.stop, ['###']);
    assert.equal(params.maxTokens, 20);
    assert.equal(map({ messages: user, chat_template_kwargs: { enable_thinking: true } }).thinking, 'on');
  });

  it('offers tools unless tool_choice is none, and refuses a forced call', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    assert.deepEqual(map({ messages: user, tools }).tools, tools);
    assert.equal(map({ messages: user, tools, tool_choice: 'none' }).tools, undefined);
    assertField({ messages: user, tools, tool_choice: 'required' }, 'tool_choice', /cannot force a tool call/);
    assertField(
      { messages: user, tools, tool_choice: { type: 'function', function: { name: 'f' } } },
      'tool_choice',
      /may be "auto" or "none"/,
    );
  });

  it('names the field at fault', () => {
    assertField(
      { messages: user, top_p: 0 },
      'top_p',
      /top_p: Invalid sampling settings: top_p must be greater than 0/,
    );
    assertField({ messages: user, max_tokens: LIMIT + 1 }, 'max_tokens', /at most 1000 tokens/);
    assertField({ messages: user, n: 3 }, 'n', /n must be 1/);
    assertField({ messages: user, frequency_penalty: 0.5 }, 'frequency_penalty', /use presence_penalty/);
    assertField({ messages: [{ role: 'user', content: 42 }] }, 'messages.0.content', /content must be a string/);
    assertField({ messages: [{ role: 'robot', content: 'x' }] }, 'messages.0.role', /Invalid/);
    assertField({ messages: [] }, 'messages', /messages must not be empty/);
    assertField({ messages: user, logprobs: true }, 'logprobs', /logprobs are not served/);
    assertField({ messages: user, response_format: { type: 'json_object' } }, 'response_format.type', /only "text"/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseChatParams,
  parseCompleteParams,
  parseCountTokensParams,
  parseLoadParams,
  parseRoleParams,
  parseTokenizeParams,
} from '../../../src/engine/generation/requestParams';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';

function assertInvalid(action: () => unknown, message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, EngineErrorCode.InvalidParams);
    assert.match(error.message, message);
    assert.match(error.hint ?? '', /^Send \{/);
    return true;
  });
}

const chat = { requestId: 'r1', messages: [{ role: 'user', content: 'Hi' }] };

describe('request params', () => {
  it('reads a chat request with its defaults', () => {
    assert.deepEqual(parseChatParams(chat), {
      requestId: 'r1',
      messages: [{ role: 'user', content: 'Hi' }],
      thinking: 'auto',
      stop: [],
      model: 'chat',
    });
    const full = { ...chat, thinking: 'off', sampling: { seed: 4 }, maxTokens: 12, stop: ['\n\n'], model: 'reasoning' };
    assert.deepEqual(parseChatParams(full), full);
    const continued = {
      ...chat,
      messages: [...chat.messages, { role: 'assistant', content: 'Hello, wor' }],
      continueAnswer: true,
    };
    assert.deepEqual(parseChatParams(continued), { ...continued, thinking: 'auto', stop: [], model: 'chat' });
  });

  it('refuses malformed chat requests, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /the params must be an object, not null/],
      [[chat], /the params must be an object/],
      [{ messages: chat.messages }, /requestId must be a string, not missing/],
      [{ ...chat, requestId: '' }, /requestId must not be empty/],
      [{ ...chat, messages: [] }, /messages must not be empty/],
      [{ ...chat, messages: 'Hi' }, /messages must be an array, not "Hi"/],
      [
        { ...chat, messages: [{ role: 'function', content: 'x' }] },
        /messages\[0\]\.role must be one of "system", "user", "assistant", "tool", not "function"/,
      ],
      [
        { ...chat, messages: [{ role: 'user', content: 'x', toolCalls: [] }] },
        /messages\[0\]\.toolCalls belongs to assistant turns only/,
      ],
      [
        { ...chat, messages: [{ role: 'assistant', content: '', toolCalls: [{ name: 'f', arguments: {} }] }] },
        /messages\[0\]\.toolCalls\[0\]\.arguments must be a string/,
      ],
      [{ ...chat, tools: [{ type: 'function', function: {} }] }, /tools\[0\]\.function\.name must be a string/],
      [
        { ...chat, tools: [{ type: 'function', function: { name: 'f', parameters: [] } }] },
        /tools\[0\]\.function\.parameters must be a JSON schema object/,
      ],
      [{ ...chat, messages: [{ content: 'x' }] }, /messages\[0\]\.role is missing/],
      [{ ...chat, messages: [{ role: 'user', content: 42 }] }, /messages\[0\]\.content must be a string, not 42/],
      [{ ...chat, messages: [{ role: 'user', content: 'x', name: 'me' }] }, /unknown field "messages\[0\]\.name"/],
      [{ ...chat, messages: ['Hi'] }, /messages\[0\] must be an object/],
      [{ ...chat, thinking: true }, /thinking must be one of "auto", "on", "off", not true/],
      [{ ...chat, maxTokens: 0 }, /maxTokens must be a whole number from 1 up, not 0/],
      [{ ...chat, maxTokens: 2.5 }, /maxTokens must be a whole number/],
      [{ ...chat, stop: 'x' }, /stop must be an array/],
      [{ ...chat, stop: [''] }, /stop\[0\] must be a non-empty string/],
      [{ ...chat, stop: Array(17).fill('x') }, /stop may hold at most 16 items/],
      [{ ...chat, max_tokens: 5 }, /unknown field "max_tokens"/],
      [{ ...chat, model: 'big' }, /model must be one of "chat", "reasoning", "completion", not "big"/],
      [{ ...chat, continueAnswer: 'yes' }, /continueAnswer must be true or false, not "yes"/],
      [
        { ...chat, continueAnswer: true },
        /continueAnswer needs the answer to continue as the last message, with the role "assistant"/,
      ],
    ];
    for (const [params, message] of cases) assertInvalid(() => parseChatParams(params), message);
  });

  it('reads complete requests: text, parts or fim, exactly one', () => {
    assert.deepEqual(parseCompleteParams({ prompt: 'def f' }), {
      prompt: { kind: 'text', text: 'def f' },
      maxTokens: 128,
      stop: [],
      sampling: undefined,
      model: 'chat',
      warmUp: false,
    });
    assert.equal(parseCompleteParams({ prompt: 'def f', model: 'completion' }).model, 'completion');
    assert.equal(parseCompleteParams({ prompt: 'def f', warmUp: true }).warmUp, true);
    assertInvalid(
      () => parseCompleteParams({ prompt: 'def f', warmUp: 'yes' }),
      /warmUp must be true or false, not "yes"/,
    );
    assert.deepEqual(parseCompleteParams({ prompt: ['a', { token: '<|im_end|>' }], maxTokens: 3 }).prompt, {
      kind: 'parts',
      parts: ['a', { token: '<|im_end|>' }],
    });
    assert.deepEqual(parseCompleteParams({ fim: { prefix: 'a', suffix: '' } }).prompt, {
      kind: 'fim',
      prefix: 'a',
      suffix: '',
    });
    assertInvalid(() => parseCompleteParams({}), /exactly one of "prompt" and "fim"/);
    assertInvalid(() => parseCompleteParams({ prompt: 'a', fim: { prefix: 'a', suffix: 'b' } }), /exactly one/);
    assertInvalid(() => parseCompleteParams({ prompt: '' }), /prompt must not be empty/);
    assertInvalid(() => parseCompleteParams({ prompt: [{ token: 5 }] }), /prompt\[0\]\.token must be a string/);
    assertInvalid(() => parseCompleteParams({ fim: { prefix: 'a' } }), /fim\.suffix must be a string, not missing/);
  });

  it('reads the role of model/info (default chat) and model/unload (required)', () => {
    assert.equal(parseRoleParams(undefined, 'model/info'), 'chat');
    assert.equal(parseRoleParams({ role: 'completion' }, 'model/info'), 'completion');
    assert.equal(parseRoleParams({ role: 'reasoning' }, 'model/unload'), 'reasoning');
    assertInvalid(() => parseRoleParams({}, 'model/unload'), /role is missing/);
    assertInvalid(() => parseRoleParams(undefined, 'model/unload'), /the params must be an object/);
    assertInvalid(() => parseRoleParams({ role: 'chat', path: '/m' }, 'model/unload'), /unknown field "path"/);
  });

  it('reads model/load, tokenize and countTokens', () => {
    assert.deepEqual(parseLoadParams({ path: '/m', quantization: 'int4', threads: 2 }), {
      path: '/m',
      quantization: 'int4',
      threads: 2,
    });
    assertInvalid(
      () => parseLoadParams({ path: '/m', quantization: 'fp8' }),
      /quantization must be one of "int8", "int4", "fp32", not "fp8"/,
    );
    assertInvalid(() => parseLoadParams({ path: '/m', contextLength: -1 }), /contextLength must be a whole number/);
    assert.equal(parseLoadParams({ path: '/m', role: 'reasoning' }).role, 'reasoning');
    for (const kvCache of ['auto', 'float32', 'int8'] as const)
      assert.deepEqual(parseLoadParams({ path: '/m', kvCache }), { path: '/m', kvCache });
    assert.equal('kvCache' in parseLoadParams({ path: '/m' }), false);
    assertInvalid(
      () => parseLoadParams({ path: '/m', kvCache: 'fp16' }),
      /^Invalid model\/load params: kvCache must be one of "auto", "float32", "int8", not "fp16"\.$/,
    );
    assertInvalid(
      () => parseLoadParams({ path: '/m', kvCache: 8 }),
      /kvCache must be one of "auto", "float32", "int8", not 8/,
    );
    assert.throws(() => parseLoadParams({ path: '/m', kvCache: 'fp16' }), {
      hint: 'Send { path, role?: "chat" | "reasoning" | "completion", contextLength?, quantization?: "int8" | "int4" | "fp32", kvCache?: "auto" | "float32" | "int8", threads?, cacheDir?, snapshotDiskBytes?, plan? }.',
    });
    assertInvalid(
      () => parseLoadParams({ path: '/m', role: 'draft' }),
      /role must be one of "chat", "reasoning", "completion", not "draft"/,
    );
    assert.deepEqual(parseTokenizeParams({ text: 'a' }), { text: 'a', special: false });
    assertInvalid(() => parseTokenizeParams({ text: 'a', special: 'yes' }), /special must be true or false/);
    assert.deepEqual(parseCountTokensParams({ texts: ['a', ''] }), { texts: ['a', ''] });
    assertInvalid(() => parseCountTokensParams({ texts: ['a', 3] }), /texts\[1\] must be a string/);
  });
});

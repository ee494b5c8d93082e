import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { parseEngineParams, type ParamsMethod } from '../../../src/shared/wire/parseEngineParams';

const parseChatParams = (params: unknown) => parseEngineParams('chat', params);
const parseCompleteParams = (params: unknown) => parseEngineParams('complete', params);
const parseLoadParams = (params: unknown) => parseEngineParams('model/load', params);
const parse = (method: ParamsMethod, params: unknown) => parseEngineParams(method, params);

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

describe('parseEngineParams', () => {
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
      [{ messages: chat.messages }, /requestId is missing/],
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
      [{ ...chat, tools: [{ type: 'function', function: {} }] }, /tools\[0\]\.function\.name is missing/],
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
    assertInvalid(() => parseCompleteParams({ fim: { prefix: 'a' } }), /fim\.suffix is missing/);
  });

  it('reads the role of model/info (default chat) and model/unload (required)', () => {
    assert.deepEqual(parse('model/info', undefined), { role: 'chat' });
    assert.deepEqual(parse('model/info', null), { role: 'chat' });
    assert.deepEqual(parse('model/info', { role: 'completion' }), { role: 'completion' });
    assertInvalid(() => parse('model/info', { role: 'teacher' }), /role must be one of .*, not "teacher"/);
    assert.deepEqual(parse('model/unload', { role: 'reasoning' }), { role: 'reasoning' });
    assertInvalid(() => parse('model/unload', {}), /^Invalid model\/unload params: role is missing\.$/);
    assertInvalid(() => parse('model/unload', undefined), /the params must be an object, not missing/);
    assertInvalid(() => parse('model/unload', { role: 'chat', path: '/m' }), /unknown field "path"/);
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
      hint:
        'Send { path, role?: "chat" | "reasoning" | "completion", contextLength?, quantization?: "int8" | "int4" | "fp32", ' +
        'kvCache?: "auto" | "float32" | "int8", threads?, cacheDir?, snapshotDiskBytes?, ' +
        'plan?: { contextLength, kvCache: "float32" | "int8", kvBudgetBytes, memory: { freeBytes, totalBytes } } }.',
    });
    assertInvalid(
      () => parseLoadParams({ path: '/m', role: 'draft' }),
      /role must be one of "chat", "reasoning", "completion", not "draft"/,
    );
    assert.deepEqual(parse('tokenize', { text: 'a' }), { text: 'a', special: false });
    assertInvalid(() => parse('tokenize', { text: 'a', special: 'yes' }), /special must be true or false/);
    assert.deepEqual(parse('countTokens', { texts: ['a', ''] }), { texts: ['a', ''] });
    assertInvalid(() => parse('countTokens', { texts: ['a', 3] }), /texts\[1\] must be a string/);
  });

  it('reads a load plan whole, and refuses one that names another context or cache', () => {
    const plan = { contextLength: 2048, kvCache: 'int8', kvBudgetBytes: 1, memory: { freeBytes: 1, totalBytes: 2 } };
    assert.deepEqual(parseLoadParams({ path: '/m', kvCache: 'auto', plan }), { path: '/m', kvCache: 'auto', plan });
    assertInvalid(
      () => parseLoadParams({ path: '/m', contextLength: 4096, plan }),
      /^Invalid model\/load params: plan\.contextLength 2048 is not the contextLength asked for \(4096\)\.$/,
    );
    assertInvalid(
      () => parseLoadParams({ path: '/m', kvCache: 'float32', plan }),
      /^Invalid model\/load params: plan\.kvCache "int8" is not the kvCache asked for \("float32"\)\.$/,
    );
    const { memory: _memory, ...partial } = plan;
    assertInvalid(
      () => parseLoadParams({ path: '/m', plan: { ...partial, memory: { freeBytes: 1 } } }),
      /^Invalid model\/load params: plan\.memory\.totalBytes is missing\.$/,
    );
  });

  it('reads the model library and context methods, naming the field at fault', () => {
    assert.deepEqual(parse('model/catalogue', undefined), {});
    assert.deepEqual(parse('model/fit', { path: '/m', contextLength: 8 }), { path: '/m', contextLength: 8 });
    assertInvalid(
      () => parse('model/download', { repo: 'x'.repeat(201) }),
      /^Invalid model\/download params: repo must be at most 200 characters\.$/,
    );
    assert.deepEqual(parse('context/index', { roots: ['/r'] }), { roots: ['/r'] });
    assertInvalid(
      () => parse('context/index', { roots: [] }),
      /^Invalid context\/index params: roots must not be empty\.$/,
    );
    assertInvalid(
      () => parse('context/update', { changes: [{ path: '/r/a.ts', kind: 'renamed' }] }),
      /changes\[0\]\.kind must be one of "changed", "created", "deleted", not "renamed"/,
    );
    assert.deepEqual(parse('context/pack', { budget: 512, focus: { openFiles: ['/r/a.ts'] } }), {
      budget: 512,
      focus: { openFiles: ['/r/a.ts'] },
    });
    assertInvalid(
      () => parse('context/prefill', { budget: 512, questionShare: 0.95 }),
      /^Invalid context\/prefill params: questionShare must be a number from 0 to 0.9, not 0.95\.$/,
    );
    assertInvalid(
      () => parse('context/pack', { budget: 512, focus: [] }),
      /^Invalid context\/pack params: focus must be an object, not \[\]\.$/,
    );
    assert.throws(() => parse('initialize', { clientName: 'x', clientVersion: '1', protocolVersion: 1.5 }), {
      message: 'Invalid initialize params: protocolVersion must be a whole number from 0 up, not 1.5.',
      hint: 'Send { clientName, clientVersion, protocolVersion, logLevel?: "error" | "warn" | "info" | "debug" }.',
    });
  });

  it('names an unknown field before the field its misspelling left missing', () => {
    assertInvalid(() => parse('tokenize', { txt: 'a' }), /^Invalid tokenize params: unknown field "txt"\.$/);
    assertInvalid(
      () => parseChatParams({ requestId: 'r', messages: [{ role: 'user', contents: 'x' }] }),
      /^Invalid chat params: unknown field "messages\[0\]\.contents"\.$/,
    );
  });

  it('names the deepest field of a prompt part at fault, and describes the prompt otherwise', () => {
    assert.throws(() => parseCompleteParams({ prompt: ['a', { token: 5 }] }), {
      message: 'Invalid complete params: prompt[1].token must be a string, not 5.',
      hint: 'Send { prompt?: string | [string | { token }], fim?: { prefix, suffix }, maxTokens?, stop?, sampling?, model?: "chat" | "reasoning" | "completion", warmUp? }.',
    });
    assertInvalid(
      () => parseCompleteParams({ prompt: ['a', 5] }),
      /prompt\[1\] must be a string or a \{ token \} object, not 5/,
    );
    assertInvalid(
      () => parseCompleteParams({ prompt: 7 }),
      /prompt must be a string or a list of strings and \{ token \} objects, not 7/,
    );
  });

  it('stays out of the webview bundle, which imports the protocol for its constants', async () => {
    const bundle = await esbuild.build({
      entryPoints: ['src/webview/main.ts'],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'browser',
      format: 'iife',
      logLevel: 'silent',
    });
    const inputs = Object.keys(bundle.metafile.inputs);
    assert.ok(inputs.includes('src/shared/protocol.ts'), inputs.join(', '));
    assert.deepEqual(
      inputs.filter((input) => /valibot|shared\/wire/.test(input)),
      [],
    );
  });
});

/**
 * The generation service on a real tiny model (int8 graph from an FP8 synthetic checkpoint with the real Qwen3
 * tokenizer and template): determinism, the prefix cache, cancellation, priority and typed errors.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { GenerationService } from '../../../src/engine/generation/generationService';
import { commonPrefixLength } from '../../../src/engine/generation/prefixCache';
import { encodeChatPrompt } from '../../../src/engine/generation/chatPrompt';
import { ChatTemplate } from '../../../src/engine/text/chatTemplate';
import { Tokenizer } from '../../../src/engine/text/tokenizer';
import { argmax } from '../../../src/engine/text/topCandidates';
import { EngineError } from '../../../src/shared/engineError';
import {
  EngineErrorCode,
  type ChatMessage,
  type ChatParams,
  type ModelProgressParams,
} from '../../../src/shared/protocol';
import { CONTEXT_LENGTH, observePrefill, TinyModelFixture, type PrefillHook } from './tinyModelFixture';
import { parseEngineParams } from '../../../src/shared/wire/parseEngineParams';

const never = new AbortController().signal;
const THINK = { addGenerationPrompt: true, enableThinking: true };
const PREFILL_CHUNK = 16;
/** A system message of about 450 tokens: the stable repository block a real prompt starts with. */
const REPOSITORY = Array.from(
  { length: 30 },
  (_, i) => `export function helper${i}(value: number): number {\n  return value * ${i};\n}\n`,
).join('\n');
const firstTurn: ChatMessage[] = [
  { role: 'system', content: `You are Hearth.\n\n${REPOSITORY}` },
  { role: 'user', content: 'What does helper3 do?' },
];

function assertEngineError(code: number, check?: (error: EngineError) => void) {
  return (error: unknown) => {
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, code, error.message);
    assert.ok((error.hint ?? '').length > 0, 'has a hint');
    check?.(error);
    return true;
  };
}

describe('GenerationService on a tiny Qwen3 checkpoint', () => {
  const fixture = new TinyModelFixture();
  const hooks: { after?: PrefillHook } = {};
  let service: GenerationService;
  let tokenizer: Tokenizer;
  let template: ChatTemplate;
  const progress: ModelProgressParams[] = [];

  const chat = (
    params: Omit<ChatParams, 'requestId'>,
    onDelta: (delta: { reasoning?: string; content?: string }) => void = () => {},
    signal = never,
  ) => service.chat(parseEngineParams('chat', { requestId: `r${Math.random()}`, ...params }), onDelta, signal);

  before(async () => {
    await fixture.write();
    service = fixture.service({ prefillChunkTokens: PREFILL_CHUNK }, (decoder) => observePrefill(decoder, hooks));
    tokenizer = Tokenizer.load(fixture.checkpoint);
    template = ChatTemplate.load(fixture.checkpoint);
  });
  afterEach(() => delete hooks.after);
  after(async () => {
    await service.dispose();
    await fixture.dispose();
  });

  it('answers ModelNotLoaded before a model is loaded', async () => {
    await assert.rejects(
      chat({ messages: firstTurn }),
      assertEngineError(EngineErrorCode.ModelNotLoaded, (error) => assert.match(error.hint ?? '', /model\/load/)),
    );
    await assert.rejects(
      service.complete(parseEngineParams('complete', { prompt: 'x' }), never),
      assertEngineError(EngineErrorCode.ModelNotLoaded),
    );
    assert.throws(
      () => service.tokenize(parseEngineParams('tokenize', { text: 'x' })),
      assertEngineError(EngineErrorCode.ModelNotLoaded),
    );
    assert.equal(service.modelInfo(), null);
  });

  it('loads the checkpoint, converting it once with progress, and describes it', async () => {
    const result = await service.loadModel(fixture.loadParams, (event) => progress.push(event), never);
    assert.equal(result.converted, true);
    assert.deepEqual(result.model, {
      path: fixture.checkpoint,
      role: 'chat',
      architecture: 'qwen3',
      kind: 'hybrid',
      contextLength: CONTEXT_LENGTH,
      nativeContextLength: 40960,
      quantization: 'int8',
      // No kvCache asked for: auto, and 1,024 positions are within float32's 4,096.
      kvCache: 'float32',
      weightBytes: result.model.weightBytes,
      hasFimTokens: true,
    });
    assert.ok(
      result.model.weightBytes > 40_000_000 && result.model.weightBytes < 50_000_000,
      `${result.model.weightBytes}`,
    );
    assert.deepEqual(service.modelInfo(), result.model);
    const converting = progress.filter((event) => event.phase === 'converting');
    assert.ok(converting.length > 0);
    const last = converting.at(-1)!;
    assert.ok(
      last.phase === 'converting' && last.bytesDone === last.bytesTotal && last.bytesTotal === result.model.weightBytes,
    );
    assert.deepEqual(progress.at(-1), { path: fixture.checkpoint, phase: 'loading' });
  });

  it('loads with the 8-bit KV cache when asked, reports it, and generates with it', async () => {
    const result = await service.loadModel(
      { ...fixture.loadParams, role: 'reasoning', kvCache: 'int8' },
      () => {},
      never,
    );
    assert.deepEqual(
      [result.converted, result.model.kvCache, result.model.contextLength],
      [false, 'int8', CONTEXT_LENGTH],
    );
    assert.deepEqual(service.modelInfo({ role: 'reasoning' }), result.model);
    assert.equal(service.modelInfo()?.kvCache, 'float32', 'the chat model keeps its own cache');
    const completion = await service.complete(
      parseEngineParams('complete', { prompt: 'def add(a, b):', maxTokens: 4, model: 'reasoning' }),
      never,
    );
    assert.deepEqual([completion.finishReason, completion.usage.completionTokens], ['length', 4]);
    // auto: above 4,096 positions the 8-bit cache, whatever the memory.
    const long = await service.loadModel(
      { ...fixture.loadParams, role: 'reasoning', contextLength: 8192 },
      () => {},
      never,
    );
    assert.deepEqual([long.model.kvCache, long.model.contextLength], ['int8', 8192]);
    const exact = await service.loadModel(
      { ...fixture.loadParams, role: 'reasoning', contextLength: 8192, kvCache: 'float32' },
      () => {},
      never,
    );
    assert.equal(exact.model.kvCache, 'float32');
    assert.deepEqual(await service.unloadModel({ role: 'reasoning' }), { unloaded: true });
  });

  it('tokenizes as plain text unless asked for control tokens, and counts tokens', () => {
    assert.deepEqual(
      service.tokenize(parseEngineParams('tokenize', { text: 'Hi<|im_end|>' })).ids,
      tokenizer.encodePlainText('Hi<|im_end|>'),
    );
    assert.deepEqual(
      service.tokenize(parseEngineParams('tokenize', { text: 'Hi<|im_end|>', special: true })).ids,
      [13048, 151645],
    );
    assert.deepEqual(service.countTokens({ texts: ['Hi<|im_end|>', '', REPOSITORY] }).counts, [
      7,
      0,
      tokenizer.encodePlainText(REPOSITORY).length,
    ]);
  });

  it('completes greedily (temperature 0) exactly as an argmax loop on the decoder does', async () => {
    const prompt = 'function fibonacci(n) {';
    const result = await service.complete(parseEngineParams('complete', { prompt, maxTokens: 12 }), never);
    const reference = await fixture.loadDirectly();
    const ids: number[] = [];
    let logits = await reference.decoder.prefill(tokenizer.encodePlainText(prompt));
    for (let step = 0; step < 12; step++) {
      ids.push(argmax(logits, tokenizer.vocabSize));
      if (step < 11) logits = await reference.decoder.decode(ids.at(-1)!);
    }
    assert.equal(result.finishReason, 'length');
    assert.equal(result.text, tokenizer.decode(ids));
    assert.equal(result.usage.completionTokens, 12);
    assert.equal(result.usage.promptTokens, tokenizer.encodePlainText(prompt).length);

    // The decoder's rows copied out and appended back are the cache a prefill computes: bit-identical logits.
    const tokens = tokenizer.encodePlainText(REPOSITORY).slice(0, 40);
    reference.decoder.truncate(0);
    await reference.decoder.prefill(tokens);
    const computed = await reference.decoder.decode(42);
    const rows = reference.decoder.copyRows(10, 40);
    reference.decoder.truncate(10);
    reference.decoder.appendRows(rows, 0, 30);
    assert.deepEqual(await reference.decoder.decode(42), computed);
  });

  it('gives the same output for the same seed, and streams exactly the result', async () => {
    const deltas: { reasoning?: string; content?: string }[] = [];
    const first = await chat({ messages: firstTurn, maxTokens: 24, sampling: { seed: 7 } }, (delta) =>
      deltas.push(delta),
    );
    const again = await chat({ messages: firstTurn, maxTokens: 24, sampling: { seed: 7 } });
    const other = await chat({ messages: firstTurn, maxTokens: 24, sampling: { seed: 8 } });
    assert.equal(first.seed, 7);
    assert.deepEqual([again.content, again.reasoning], [first.content, first.reasoning]);
    assert.notEqual(other.content, first.content);
    assert.equal(deltas.map((delta) => delta.content ?? '').join(''), first.content);
    assert.equal(deltas.map((delta) => delta.reasoning ?? '').join(''), first.reasoning);
    assert.ok(
      deltas.every((delta) => delta.content !== '' && delta.reasoning !== ''),
      'no empty deltas',
    );
    assert.deepEqual(first.thinking, { enabled: true, decidedBy: 'request' });
    assert.equal(first.usage.completionTokens, 24);
  });

  it('reports the thinking decision: the request, or a soft switch in the last user turn', async () => {
    const off = await chat({ messages: firstTurn, thinking: 'off', maxTokens: 2 });
    assert.deepEqual(off.thinking, { enabled: false, decidedBy: 'request' });
    const soft = await chat({
      messages: [{ role: 'user', content: 'Explain /no_think' }],
      thinking: 'on',
      maxTokens: 2,
    });
    assert.deepEqual(soft.thinking, { enabled: false, decidedBy: 'soft-switch' });
  });

  it('reuses the prefix a follow-up turn shares with the first: cached tokens reported, output as from a fresh run', async () => {
    const first = await chat({ messages: firstTurn, maxTokens: 16, sampling: { seed: 3 } });
    const followUp: ChatMessage[] = [
      ...firstTurn,
      { role: 'assistant', content: first.content },
      { role: 'user', content: 'And helper4?' },
    ];
    const shared = commonPrefixLength(
      encodeChatPrompt(template, tokenizer, firstTurn, THINK),
      encodeChatPrompt(template, tokenizer, followUp, THINK),
    );
    const cached = await chat({ messages: followUp, maxTokens: 16, sampling: { seed: 5 } });

    // Cold: no KV snapshots either (the follow-up's shared prefix went to disk).
    const fresh = fixture.service({ prefillChunkTokens: PREFILL_CHUNK, snapshotDiskBytes: 0 });
    try {
      await fresh.loadModel(fixture.loadParams, () => {}, never);
      const uncached = await fresh.chat(
        parseEngineParams('chat', { requestId: 'fresh', messages: followUp, maxTokens: 16, sampling: { seed: 5 } }),
        () => {},
        never,
      );
      assert.ok(shared > 450, `shared prefix ${shared}`);
      assert.ok(cached.usage.cachedTokens >= shared - 1, `cached ${cached.usage.cachedTokens} of a shared ${shared}`);
      assert.equal(uncached.usage.cachedTokens, 0);
      assert.equal(cached.usage.promptTokens, uncached.usage.promptTokens);
      assert.deepEqual([cached.content, cached.reasoning], [uncached.content, uncached.reasoning]);
      // An order of magnitude apart here (about 10 ms against 100 ms); only the order is asserted on a shared machine.
      assert.ok(
        cached.usage.timeToFirstTokenMs! < uncached.usage.timeToFirstTokenMs!,
        `${cached.usage.timeToFirstTokenMs} vs ${uncached.usage.timeToFirstTokenMs} ms`,
      );
    } finally {
      await fresh.dispose();
    }
  });

  it('continues an answer cut at its token limit as the uninterrupted answer goes on (greedy)', async () => {
    const greedy = { temperature: 0, presencePenalty: 0, repetitionPenalty: 1 };
    const whole = await chat({ messages: firstTurn, thinking: 'off', maxTokens: 12, sampling: greedy });
    const cut = await chat({ messages: firstTurn, thinking: 'off', maxTokens: 5, sampling: greedy });
    assert.equal(cut.finishReason, 'length');
    const rest = await chat({
      messages: [...firstTurn, { role: 'assistant', content: cut.content }],
      continueAnswer: true,
      thinking: 'off',
      maxTokens: 7,
      sampling: greedy,
    });
    assert.equal(cut.content + rest.content, whole.content);
    assert.equal(rest.reasoning, '');
    // The question and the answer so far are the prompt the cut answer left in the cache.
    assert.equal(rest.usage.promptTokens, cut.usage.promptTokens + 5);
    assert.ok(rest.usage.cachedTokens >= cut.usage.promptTokens, `${rest.usage.cachedTokens} cached`);
  });

  it('restores a conversation from the prefix cache after another chat replaced the live sequence', async () => {
    const params = { messages: firstTurn, maxTokens: 10, sampling: { seed: 9 } };
    const before = await chat(params);
    // Another conversation, not a completion: completions run on a sequence of their own.
    await chat({ messages: [{ role: 'user', content: 'Something else entirely' }], maxTokens: 4 });
    const restored = await chat(params);
    assert.equal(restored.usage.cachedTokens, restored.usage.promptTokens - 1);
    assert.deepEqual([restored.content, restored.reasoning], [before.content, before.reasoning]);
  });

  it('stops within one decode step of a cancellation, returning the output so far as "cancelled"', async () => {
    const params = { messages: firstTurn, maxTokens: 200, sampling: { seed: 2 } };
    await chat({ ...params, maxTokens: 1 }); // the prompt is now cached but for its last token: one run
    const controller = new AbortController();
    let runs = 0;
    hooks.after = () => {
      if (++runs === 8) controller.abort();
    };
    const deltas: string[] = [];
    const result = await chat(
      params,
      (delta) => deltas.push(delta.content ?? delta.reasoning ?? ''),
      controller.signal,
    );
    assert.equal(result.finishReason, 'cancelled');
    assert.equal(runs, 8, 'no run started after the cancellation');
    assert.equal(result.usage.completionTokens, 8, 'the prompt run and 7 decode steps, a token each');
    assert.equal(deltas.join(''), result.reasoning + result.content);
  });

  it('stops a prefill within one chunk of a cancellation, and keeps the chunks it computed', async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: `Z${REPOSITORY}` },
      { role: 'user', content: 'Where?' },
    ];
    const controller = new AbortController();
    const computed: number[] = [];
    hooks.after = (tokens) => {
      computed.push(tokens.length);
      if (computed.length === 2) controller.abort();
    };
    const cancelled = await chat({ messages, maxTokens: 4 }, () => {}, controller.signal);
    assert.equal(cancelled.finishReason, 'cancelled');
    assert.deepEqual(computed, [PREFILL_CHUNK, PREFILL_CHUNK], 'two chunks ran, the third never started');
    assert.equal(cancelled.usage.completionTokens, 0);
    assert.equal(cancelled.usage.timeToFirstTokenMs, null);

    computed.length = 0;
    hooks.after = (tokens) => void computed.push(tokens.length);
    const resumed = await chat({ messages, maxTokens: 1 });
    assert.ok(resumed.usage.cachedTokens >= 2 * PREFILL_CHUNK, `cached ${resumed.usage.cachedTokens}`);
    assert.equal(
      computed.reduce((sum, count) => sum + count, 0),
      resumed.usage.promptTokens - resumed.usage.cachedTokens,
    );
  });

  /**
   * Sends a completion (on `model`) after the fifth decoder run of a streaming chat; checks it is answered before
   * the chat takes another step, and that the chat's output is the same as without it.
   */
  async function assertCompletionGoesFirst(model: 'chat' | 'completion'): Promise<void> {
    const params = { messages: firstTurn, maxTokens: 30, sampling: { seed: 11 } };
    const alone = await chat(params);
    const events: string[] = [];
    let runs = 0;
    let completion: Promise<unknown> | undefined;
    hooks.after = () => {
      if (++runs !== 5) return;
      events.push('completion sent');
      completion = service
        .complete(parseEngineParams('complete', { prompt: 'const answer =', maxTokens: 6, model }), never)
        .then((result) => events.push(`completion done: ${result.finishReason}`));
    };
    const interrupted = await chat(params, () => events.push('chat delta'));
    events.push('chat done');
    await completion;
    const sent = events.indexOf('completion sent');
    const done = events.indexOf('completion done: length');
    assert.ok(sent >= 0 && done > sent, events.join(', '));
    assert.ok(
      done - sent - 1 <= 1,
      `at most the chat's step in progress ran in between: ${events.slice(sent, done + 1).join(', ')}`,
    );
    assert.ok(events.slice(done).includes('chat delta'), 'the chat went on after the completion');
    assert.deepEqual([interrupted.content, interrupted.reasoning], [alone.content, alone.reasoning]);
  }

  it('serves a completion that arrives while a chat streams before the chat goes on, and leaves the chat unchanged', () =>
    assertCompletionGoesFirst('chat'));

  it('a warm-up fills the prefix cache and stops after one token; the request it prepared computes only its last token', async () => {
    const prompt = `${REPOSITORY}\nexport const total =`;
    const warm = await service.complete(parseEngineParams('complete', { prompt, maxTokens: 50, warmUp: true }), never);
    assert.equal(warm.usage.completionTokens, 1);
    assert.equal(warm.usage.cachedTokens, 0);
    const prepared = await service.complete(parseEngineParams('complete', { prompt, maxTokens: 4 }), never);
    assert.equal(prepared.usage.promptTokens, warm.usage.promptTokens);
    assert.equal(prepared.usage.cachedTokens, prepared.usage.promptTokens - 1);
  });

  it('refuses a prompt and output over the context with ContextTooLarge, and keeps serving', async () => {
    await assert.rejects(
      chat({ messages: firstTurn, maxTokens: CONTEXT_LENGTH }),
      assertEngineError(EngineErrorCode.ContextTooLarge, (error) => {
        assert.match(error.message, new RegExp(`more than the context of ${CONTEXT_LENGTH}`));
      }),
    );
    await assert.rejects(
      service.complete(parseEngineParams('complete', { prompt: 'word '.repeat(CONTEXT_LENGTH), maxTokens: 1 }), never),
      assertEngineError(EngineErrorCode.ContextTooLarge),
    );
    const result = await service.complete(parseEngineParams('complete', { prompt: 'ok', maxTokens: 2 }), never);
    assert.equal(result.usage.completionTokens, 2);
  });

  it('keeps serving the loaded model when a load fails', async () => {
    const before = service.modelInfo();
    await assert.rejects(
      service.loadModel({ ...fixture.loadParams, path: join(fixture.root, 'missing') }, () => {}, never),
      assertEngineError(EngineErrorCode.ModelNotFound),
    );
    const broken = join(fixture.root, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'config.json'), '{ "architectures": ');
    await assert.rejects(
      service.loadModel({ ...fixture.loadParams, path: broken }, () => {}, never),
      assertEngineError(EngineErrorCode.CheckpointInvalid),
    );
    assert.deepEqual(service.modelInfo(), before);
    assert.equal((await chat({ messages: firstTurn, maxTokens: 2 })).usage.completionTokens, 2);
  });

  it('cancels the requests running on a model that a new load replaces', async () => {
    let reloaded: Promise<unknown> | undefined;
    hooks.after = async () => {
      if (reloaded !== undefined) return;
      reloaded = service.loadModel(fixture.loadParams, () => {}, never);
      await reloaded;
    };
    const result = await chat({ messages: firstTurn, maxTokens: 50 });
    assert.equal(result.finishReason, 'cancelled');
    delete hooks.after;
    const next = await chat({ messages: firstTurn, maxTokens: 3 });
    assert.equal(next.finishReason, 'length');
    assert.equal(next.usage.cachedTokens, next.usage.diskTokens, 'a new model starts with an empty cache in memory');
  });

  describe('with a second model beside the chat model', () => {
    const completionModel = { model: 'completion' as const };

    before(async () => {
      const result = await service.loadModel({ ...fixture.loadParams, role: 'completion' }, () => {}, never);
      assert.equal(result.model.role, 'completion');
    });

    it('serves each role from its own model, and says which role has none', async () => {
      assert.equal(service.modelInfo()?.role, 'chat');
      assert.equal(service.modelInfo({ role: 'completion' })?.role, 'completion');
      assert.equal(service.modelInfo({ role: 'reasoning' }), null);
      // The same weights in both roles: greedy completions must agree token for token.
      const onChat = await service.complete(
        parseEngineParams('complete', { prompt: 'def add(a, b):', maxTokens: 8 }),
        never,
      );
      const onCompletion = await service.complete(
        parseEngineParams('complete', { prompt: 'def add(a, b):', maxTokens: 8, ...completionModel }),
        never,
      );
      assert.equal(onCompletion.text, onChat.text);
      assert.equal(onCompletion.usage.completionTokens, 8);
      await assert.rejects(
        chat({ messages: firstTurn, maxTokens: 2, model: 'reasoning' }),
        assertEngineError(EngineErrorCode.ModelNotLoaded, (error) => {
          assert.equal(error.message, 'No reasoning model is loaded.');
          assert.match(error.hint ?? '', /role "reasoning"/);
        }),
      );
    });

    it('runs a completion on the completion model before a chat streaming on the chat model goes on', () =>
      assertCompletionGoesFirst('completion'));

    it('unloads a role, cancelling its requests, while the chat model keeps serving', async () => {
      const running = service.complete(
        parseEngineParams('complete', { prompt: 'let total = 0;', maxTokens: 200, ...completionModel }),
        never,
      );
      let unloaded: Promise<{ unloaded: boolean }> | undefined;
      hooks.after = () => {
        unloaded ??= service.unloadModel({ role: 'completion' });
      };
      assert.equal((await running).finishReason, 'cancelled');
      delete hooks.after;
      assert.deepEqual(await unloaded, { unloaded: true });
      assert.equal(service.modelInfo({ role: 'completion' }), null);
      await assert.rejects(
        service.complete(parseEngineParams('complete', { prompt: 'x', ...completionModel }), never),
        assertEngineError(EngineErrorCode.ModelNotLoaded),
      );
      assert.deepEqual(await service.unloadModel({ role: 'completion' }), { unloaded: false });
      assert.equal((await chat({ messages: firstTurn, maxTokens: 2 })).usage.completionTokens, 2);
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancellationTokenSource, type CancellationToken } from 'vscode-jsonrpc';
import type { CompleteParams, CompleteResult, GenerationUsage } from '../../../src/shared/protocol';
import {
  CompletionService,
  type CompletionModel,
  type CompletionRequest,
} from '../../../src/extension/completion/completionService';
import { linesOf } from '../../../src/extension/completion/cursorWindows';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';

const usage: GenerationUsage = {
  promptTokens: 100,
  cachedTokens: 90,
  completionTokens: 5,
  prefillTokensPerSecond: 1000,
  decodeTokensPerSecond: 100,
  timeToFirstTokenMs: 10,
};
const fimModel: CompletionModel = { key: 'coder\u0000fim', role: 'completion', style: 'fim', kind: null };

interface Call {
  params: CompleteParams;
  token: CancellationToken;
  answer(text: string): void;
  fail(error: Error): void;
}

/**
 * An engine whose answers the test gives; a cancelled call answers its `partial` text, as the engine does, or
 * rejects with `rejectOnCancel` (a connection that drops the request).
 */
class FakeEngine {
  readonly calls: Call[] = [];
  partial = '';
  rejectOnCancel = false;

  complete = (params: CompleteParams, token: CancellationToken): Promise<CompleteResult> =>
    new Promise((resolve, reject) => {
      const call: Call = {
        params,
        token,
        answer: (text) => resolve({ text, finishReason: 'stop', usage }),
        fail: reject,
      };
      token.onCancellationRequested(() =>
        this.rejectOnCancel
          ? reject(new Error('Request cancelled'))
          : resolve({ text: this.partial, finishReason: 'cancelled', usage }),
      );
      this.calls.push(call);
    });

  /** Resolves when the engine has received `count` calls. */
  async received(count: number): Promise<void> {
    while (this.calls.length < count) await delay(2);
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const text = 'function total(xs) {\n  return \n}\n';

function request(character: number, line = 1, body = text): CompletionRequest {
  return {
    documentId: 'file:///ws/total.js',
    path: 'total.js',
    languageId: 'javascript',
    lines: linesOf(body),
    position: { line, character },
    explicit: false,
  };
}

/** The document after typing `typed` at the cursor of line 1 (after "  return "). */
function typedRequest(typed: string): CompletionRequest {
  return request(9 + typed.length, 1, text.replace('  return \n', `  return ${typed}\n`));
}

/** `model`: the model configured (loaded on demand); `loaded`: the one loaded now, `model` unless given. */
function setup(
  options: {
    timeBudgetMs?: number;
    debounceMs?: number;
    model?: CompletionModel | undefined;
    loaded?: CompletionModel | undefined;
  } = {},
) {
  const engine = new FakeEngine();
  const log: string[] = [];
  /** The drop hint after each change: its reason, or 'none' once it went away. */
  const hints: string[] = [];
  const configured = 'model' in options ? options.model : fimModel;
  const modelCalls: string[] = [];
  const service = new CompletionService(
    {
      model: () => {
        modelCalls.push('model');
        return Promise.resolve(configured);
      },
      loadedModel: () => ('loaded' in options ? options.loaded : configured),
      complete: engine.complete,
      snippets: () => [],
      repoName: () => 'ws',
      log: (line) => log.push(line),
      onDropHintChange: () => hints.push(service.drops.hint?.reason ?? 'none'),
    },
    { debounceMs: () => options.debounceMs ?? 30, timeBudgetMs: options.timeBudgetMs ?? 5000, orphanGraceMs: 40 },
  );
  return { engine, service, log, modelCalls, hints };
}

describe('CompletionService', () => {
  it('sends one request after the debounce, for the last of quick keystrokes', async () => {
    const { engine, service } = setup();
    const first = new CancellationTokenSource();
    const firstAnswer = service.provide(typedRequest('x'), first.token);
    await delay(5);
    first.cancel(); // the next keystroke
    const second = service.provide(typedRequest('xs'), new CancellationTokenSource().token);
    assert.equal(await firstAnswer, undefined);
    await engine.received(1);
    assert.deepEqual(engine.calls[0].params.prompt?.at(-1), '  return xs');
    assert.deepEqual(engine.calls[0].params.stop, ['\n']);
    engine.calls[0].answer('.length;');
    assert.equal(await second, '.length;');
    assert.equal(engine.calls.length, 1);
    assert.equal(service.stats.debounced, 1);
    assert.equal(service.stats.engineRequests, 1);
    assert.equal(service.stats.last?.usage.cachedTokens, 90);
  });

  it('answers from the cache after backspacing and retyping, and takes typed characters off a suggestion', async () => {
    const { engine, service } = setup();
    const answer = service.provide(typedRequest('xs'), new CancellationTokenSource().token);
    await engine.received(1);
    engine.calls[0].answer('.length;');
    assert.equal(await answer, '.length;');

    assert.equal(await service.provide(typedRequest('xs'), new CancellationTokenSource().token), '.length;');
    assert.equal(await service.provide(typedRequest('xs.len'), new CancellationTokenSource().token), 'gth;');
    assert.equal(engine.calls.length, 1);
    assert.equal(service.stats.cacheHits, 2);
    assert.equal(service.stats.typedAheadHits, 1);
  });

  it('cancels the request in flight as soon as an edit cannot use it', async () => {
    const { engine, service } = setup();
    const token = new CancellationTokenSource();
    const answer = service.provide(typedRequest('x'), token.token);
    await engine.received(1);
    // Backspace: an edit that is not typing ahead at the cursor.
    service.noteEdit({
      documentId: 'file:///ws/total.js',
      start: { line: 1, character: 9 },
      end: { line: 1, character: 10 },
      text: '',
    });
    assert.equal(engine.calls[0].token.isCancellationRequested, true);
    token.cancel();
    assert.equal(await answer, undefined);
    await delay(5);
    assert.equal(service.stats.engineCancelled, 1);
    assert.equal(service.stats.dropped.cancelled, 1);
  });

  it('lets a later keystroke on the line use the request still running when the user types what it writes', async () => {
    const { engine, service } = setup();
    const first = new CancellationTokenSource();
    const firstAnswer = service.provide(typedRequest('x'), first.token);
    await engine.received(1);
    // The user types "s" at the cursor: VS Code cancels the first call and asks again.
    service.noteEdit({
      documentId: 'file:///ws/total.js',
      start: { line: 1, character: 10 },
      end: { line: 1, character: 10 },
      text: 's',
    });
    first.cancel();
    const second = service.provide(typedRequest('xs'), new CancellationTokenSource().token);
    await delay(10);
    assert.equal(engine.calls[0].token.isCancellationRequested, false);
    engine.calls[0].answer('s.length;');
    assert.equal(await second, '.length;');
    assert.equal(await firstAnswer, undefined);
    assert.equal(engine.calls.length, 1);
    assert.equal(service.stats.reusedPending, 1);
  });

  it('asks again when the running request turns out to write something else', async () => {
    const { engine, service } = setup();
    const first = new CancellationTokenSource();
    void service.provide(typedRequest('x'), first.token);
    await engine.received(1);
    first.cancel();
    const second = service.provide(typedRequest('xy'), new CancellationTokenSource().token);
    engine.calls[0].answer('s.length;');
    await engine.received(2);
    engine.calls[1].answer(' * 2;');
    assert.equal(await second, ' * 2;');
    assert.equal(service.stats.reusedPending, 0);
  });

  it('cancels a request nobody waits for after the grace period', async () => {
    const { engine, service } = setup();
    const token = new CancellationTokenSource();
    const answer = service.provide(typedRequest('x'), token.token);
    await engine.received(1);
    token.cancel(); // e.g. the cursor moved away, and no new call came
    assert.equal(await answer, undefined);
    assert.equal(engine.calls[0].token.isCancellationRequested, false);
    await delay(80);
    assert.equal(engine.calls[0].token.isCancellationRequested, true);
  });

  it('uses what a request wrote within its time budget, without caching it', async () => {
    const { engine, service } = setup({ timeBudgetMs: 40 });
    engine.partial = '.len';
    const answer = await service.provide(typedRequest('xs'), new CancellationTokenSource().token);
    assert.equal(answer, '.len');
    assert.equal(service.stats.budgetExpired, 1);
    assert.equal(service.cache.size, 0);
  });

  it('counts why requests showed nothing, hints after three in a row, and drops the hint on a suggestion', async () => {
    const { engine, service, hints, log } = setup({ timeBudgetMs: 40 });
    const explicit = (typed: string) => ({ ...typedRequest(typed), explicit: true });
    // Over the time budget with nothing written yet.
    assert.equal(await service.provide(explicit('x'), new CancellationTokenSource().token), undefined);
    // The model refused: busy.
    const busy = service.provide(explicit('xy'), new CancellationTokenSource().token);
    await engine.received(2);
    engine.calls[1].fail(new EngineError(EngineErrorCode.TooManyRequests, 'The model is busy.'));
    assert.equal(await busy, undefined);
    assert.equal(service.drops.hint, undefined);
    assert.deepEqual(hints, []);
    // Over the budget again: three in a row, two of them over the budget.
    assert.equal(await service.provide(explicit('xyz'), new CancellationTokenSource().token), undefined);
    assert.deepEqual(service.drops.hint, { reason: 'overBudget', inARow: 3 });
    assert.deepEqual(hints, ['overBudget']);
    assert.deepEqual(service.stats.dropped, { overBudget: 2, cancelled: 0, modelBusy: 1 });
    assert.equal(service.stats.engineErrors, 0);
    assert.deepEqual(log, []);

    const shown = service.provide(explicit('s'), new CancellationTokenSource().token);
    await engine.received(4);
    engine.calls[3].answer('.length;');
    assert.equal(await shown, '.length;');
    assert.equal(service.drops.hint, undefined);
    assert.deepEqual(hints, ['overBudget', 'none']);
  });

  it('reports engine errors in the log, not to the user, and needs a model', async () => {
    const { engine, service, log } = setup();
    const answer = service.provide(typedRequest('x'), new CancellationTokenSource().token);
    await engine.received(1);
    engine.calls[0].fail(new Error('The prompt has 9000 tokens: more than the context of 8192.'));
    assert.equal(await answer, undefined);
    assert.equal(service.stats.engineErrors, 1);
    assert.match(log[0], /a completion request failed: The prompt has 9000 tokens/);

    const none = setup({ model: undefined });
    assert.equal(await none.service.provide(typedRequest('x'), new CancellationTokenSource().token), undefined);
    assert.equal(none.engine.calls.length, 0);
  });

  it('skips the debounce when asked explicitly', { timeout: 5000 }, async () => {
    const { engine, service } = setup({ debounceMs: 60_000 });
    const answer = service.provide({ ...typedRequest('x'), explicit: true }, new CancellationTokenSource().token);
    await engine.received(1);
    engine.calls[0].answer('s;');
    assert.equal(await answer, 's;');
  });

  it('warms up with the prompt provide sends at the same place, marked warmUp, and caches nothing', async () => {
    const { engine, service } = setup({ debounceMs: 0 });
    const warming = service.warm(typedRequest('x'), new CancellationTokenSource().token);
    await engine.received(1);
    engine.calls[0].answer('s');
    assert.equal(await warming, true);
    const answer = service.provide({ ...typedRequest('x'), explicit: true }, new CancellationTokenSource().token);
    await engine.received(2);
    engine.calls[1].answer('s;');
    assert.equal(await answer, 's;');
    assert.deepEqual(engine.calls[0].params, { ...engine.calls[1].params, warmUp: true });
    assert.deepEqual(
      [
        service.stats.warmUpsSent,
        service.stats.warmUpsFinished,
        service.stats.engineRequests,
        service.stats.suggestions,
      ],
      [1, 1, 1, 1],
    );
  });

  it('warms up only with a model loaded now, never loading one', async () => {
    const idle = setup({ loaded: undefined });
    assert.equal(await idle.service.warm(typedRequest('x'), new CancellationTokenSource().token), false);
    assert.deepEqual([idle.engine.calls.length, idle.modelCalls.length, idle.service.stats.warmUpsSent], [0, 0, 0]);
  });

  for (const rejectOnCancel of [false, true]) {
    it(`says nothing when a warm-up is cancelled (the engine ${rejectOnCancel ? 'rejects' : 'answers its partial text'})`, async () => {
      const { engine, service, log } = setup();
      engine.rejectOnCancel = rejectOnCancel;
      const source = new CancellationTokenSource();
      const warming = service.warm(typedRequest('x'), source.token);
      await engine.received(1);
      source.cancel();
      assert.equal(await warming, false);
      assert.deepEqual(log, []);
      assert.deepEqual([service.stats.warmUpsSent, service.stats.warmUpsFinished], [1, 0]);
    });
  }

  it('logs a warm-up the engine fails', async () => {
    const { engine, service, log } = setup();
    const warming = service.warm(typedRequest('x'), new CancellationTokenSource().token);
    await engine.received(1);
    engine.calls[0].fail(new Error('model unloaded'));
    assert.equal(await warming, false);
    assert.equal(log.length, 1);
    assert.match(log[0], /a warm-up.*model unloaded/);
  });
});

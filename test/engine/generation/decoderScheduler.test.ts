import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecoderScheduler, type Priority, type Turn } from '../../../src/engine/generation/decoderScheduler';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';

const never = new AbortController().signal;

/** A request that takes `steps` steps, logging each as "name:step", yielding at every boundary. */
async function request(
  scheduler: DecoderScheduler,
  name: string,
  priority: Priority,
  steps: number,
  log: string[],
  signal = never,
): Promise<void> {
  const turn: Turn = await scheduler.acquire(priority, signal);
  try {
    for (let step = 1; step <= steps; step++) {
      log.push(`${name}:${step}`);
      if (step < steps) await turn.yield(signal);
    }
  } finally {
    turn.release();
  }
}

describe('DecoderScheduler', () => {
  it('lets a completion take over a chat at the next step boundary, then resumes the chat', async () => {
    const scheduler = new DecoderScheduler(8);
    const log: string[] = [];
    const chat = request(scheduler, 'chat', 'chat', 6, log);
    await new Promise((resolve) => setImmediate(resolve));
    const completion = request(scheduler, 'completion', 'completion', 3, log);
    await Promise.all([chat, completion]);
    const firstCompletion = log.indexOf('completion:1');
    assert.ok(firstCompletion > 0 && firstCompletion <= 2, log.join(' '));
    // The completion runs all its steps without the chat in between.
    assert.deepEqual(log.slice(firstCompletion, firstCompletion + 3), ['completion:1', 'completion:2', 'completion:3']);
    assert.deepEqual(
      log.filter((entry) => entry.startsWith('chat')),
      ['chat:1', 'chat:2', 'chat:3', 'chat:4', 'chat:5', 'chat:6'],
    );
  });

  it('runs a warm-up only while no chat or completion wants the decoder', async () => {
    const scheduler = new DecoderScheduler(8);
    const log: string[] = [];
    const warmUp = request(scheduler, 'warm', 'background', 4, log);
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([
      warmUp,
      request(scheduler, 'chat', 'chat', 2, log),
      request(scheduler, 'completion', 'completion', 1, log),
    ]);
    // Both arrived while the warm-up held the decoder: at its next boundary the completion goes, then the chat.
    assert.deepEqual(log, ['warm:1', 'completion:1', 'chat:1', 'chat:2', 'warm:2', 'warm:3', 'warm:4']);
  });

  it('serves equal priorities first come, first served, without preempting each other', async () => {
    const scheduler = new DecoderScheduler(8);
    const log: string[] = [];
    await Promise.all([
      request(scheduler, 'a', 'chat', 3, log),
      request(scheduler, 'b', 'chat', 2, log),
      request(scheduler, 'c', 'completion', 1, log),
    ]);
    // c arrived while a held the decoder: it goes first at a's next boundary; b waits for a to finish.
    assert.deepEqual(log, ['a:1', 'c:1', 'a:2', 'a:3', 'b:1', 'b:2']);
  });

  it('drops a request cancelled while it waits, and the queue moves on', async () => {
    const scheduler = new DecoderScheduler(8);
    const log: string[] = [];
    const controller = new AbortController();
    const first = request(scheduler, 'a', 'chat', 3, log);
    const cancelled = request(scheduler, 'b', 'chat', 3, log, controller.signal);
    const third = request(scheduler, 'c', 'chat', 1, log);
    controller.abort();
    await assert.rejects(cancelled, { name: 'AbortError' });
    await Promise.all([first, third]);
    assert.deepEqual(log, ['a:1', 'a:2', 'a:3', 'c:1']);
    assert.equal(scheduler.activeRequests, 0);
  });

  it('stops a request at its next boundary once its signal is aborted', async () => {
    const scheduler = new DecoderScheduler(8);
    const controller = new AbortController();
    const turn = await scheduler.acquire('chat', controller.signal);
    controller.abort();
    await assert.rejects(turn.yield(controller.signal), { name: 'AbortError' });
    turn.release();
    turn.release(); // idempotent
    assert.equal(scheduler.activeRequests, 0);
  });

  it('refuses requests beyond its cap with TooManyRequests, and admits again once one finishes', async () => {
    const scheduler = new DecoderScheduler(2);
    const holding = await scheduler.acquire('chat', never);
    const waiting = scheduler.acquire('chat', never);
    await assert.rejects(scheduler.acquire('completion', never), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, EngineErrorCode.TooManyRequests);
      assert.match(error.hint ?? '', /cancel/);
      return true;
    });
    holding.release();
    (await waiting).release();
    (await scheduler.acquire('completion', never)).release();
    await scheduler.idle();
  });

  it('resolves idle() once every admitted request has finished', async () => {
    const scheduler = new DecoderScheduler(4);
    const turn = await scheduler.acquire('chat', never);
    let idle = false;
    const done = scheduler.idle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(idle, false);
    turn.release();
    await done;
    assert.equal(idle, true);
  });
});

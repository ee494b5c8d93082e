import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancellationToken, Emitter } from 'vscode-jsonrpc';
import { ChatStream, type ChatDelta, type ChatEngine } from '../../../src/extension/chat/chatStream';
import type { ChatDeltaParams, ChatParams, ChatResult, GenerationUsage } from '../../../src/shared/protocol';

const usage: GenerationUsage = {
  promptTokens: 1_000,
  cachedTokens: 100,
  completionTokens: 3,
  prefillTokensPerSecond: 321,
  decodeTokensPerSecond: 50,
  timeToFirstTokenMs: 80,
};

/** An engine whose chat streams two deltas for its own request and one for another request. */
function fakeEngine(): { engine: ChatEngine; requests: ChatParams[]; listeners: () => number } {
  const deltas = new Emitter<ChatDeltaParams>();
  const requests: ChatParams[] = [];
  let listeners = 0;
  const engine = {
    request: (_method: string, params: ChatParams) => {
      requests.push(params);
      deltas.fire({ requestId: params.requestId, reasoning: 'hm' });
      deltas.fire({ requestId: 'someone-else', content: 'not mine' });
      deltas.fire({ requestId: params.requestId, content: 'Hi' });
      const result: ChatResult = {
        finishReason: 'stop',
        content: 'Hi',
        reasoning: 'hm',
        usage,
        thinking: { enabled: true, decidedBy: 'request' },
        seed: 1,
      };
      return Promise.resolve(result);
    },
    onNotification: (_method: string, handler: (params: ChatDeltaParams) => void) => {
      listeners++;
      const subscription = deltas.event(handler);
      return { dispose: () => (listeners--, subscription.dispose()) };
    },
  } as unknown as ChatEngine;
  return { engine, requests, listeners: () => listeners };
}

describe('ChatStream', () => {
  it('routes its own deltas, applies the answer-length setting, reports usage and stops listening', async () => {
    const { engine, requests, listeners } = fakeEngine();
    const usages: GenerationUsage[] = [];
    const stream = new ChatStream(engine, { maxTokens: () => 64, onUsage: (u) => usages.push(u) });
    const deltas: ChatDelta[] = [];
    const result = await stream.run(
      { messages: [{ role: 'user', content: 'Q' }], thinking: 'off' },
      (delta) => deltas.push(delta),
      CancellationToken.None,
    );
    assert.deepEqual(deltas, [{ reasoning: 'hm' }, { content: 'Hi' }]);
    assert.equal(result.content, 'Hi');
    assert.equal(requests[0]?.maxTokens, 64);
    assert.match(requests[0]?.requestId ?? '', /^hearth-/);
    assert.deepEqual(usages, [usage]);
    assert.equal(stream.prefillRate, 321);
    assert.equal(listeners(), 0);
  });

  it('lets a request ask for its own length, and leaves it out when the setting is 0', async () => {
    const { engine, requests } = fakeEngine();
    const stream = new ChatStream(engine, { maxTokens: () => undefined });
    await stream.run({ messages: [], maxTokens: 5 }, () => undefined, CancellationToken.None);
    await stream.run({ messages: [] }, () => undefined, CancellationToken.None);
    assert.equal(requests[0]?.maxTokens, 5);
    assert.equal('maxTokens' in (requests[1] ?? {}), false);
    assert.notEqual(requests[0]?.requestId, requests[1]?.requestId);
  });
});

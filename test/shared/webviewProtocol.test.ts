import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWebviewMessage } from '../../src/shared/webviewProtocol';

describe('parseWebviewMessage', () => {
  it('accepts the known messages, dropping unknown fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'showLogs' }), { type: 'showLogs' });
    assert.deepEqual(parseWebviewMessage({ type: 'selectModel', path: '/x' }), { type: 'selectModel' });
    assert.deepEqual(parseWebviewMessage({ type: 'continue', turnId: 't1', answer: 'x' }), {
      type: 'continue',
      turnId: 't1',
    });
    assert.equal(parseWebviewMessage({ type: 'continue' }), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'stop', turnId: 't1', answerLength: 1_234 }), {
      type: 'stop',
      turnId: 't1',
      answerLength: 1_234,
    });
    for (const answerLength of [-1, 2.5, '12', null])
      assert.deepEqual(parseWebviewMessage({ type: 'stop', turnId: 't1', answerLength }), {
        type: 'stop',
        turnId: 't1',
      });
  });

  it('rejects anything else', () => {
    for (const data of [null, undefined, 'ready', 42, [], {}, { type: 'runCommand', command: 'rm -rf' }, { type: 7 }]) {
      assert.equal(parseWebviewMessage(data), undefined, JSON.stringify(data));
    }
  });
});

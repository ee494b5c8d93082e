import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatActivity } from '../../src/extension/chatActivity';

describe('chatActivity', () => {
  it('shows a model load first, with its conversion percentage when known, then indexing, else nothing', () => {
    assert.deepEqual(chatActivity({ loading: { name: 'tiny-qwen3', percent: 45.9 }, indexing: { fraction: 0.4 } }), {
      text: 'Loading tiny-qwen3… 45%',
    });
    assert.deepEqual(chatActivity({ loading: { name: 'tiny-qwen3' } }), { text: 'Loading tiny-qwen3…' });
    assert.deepEqual(chatActivity({ indexing: { fraction: 0.409 } }), { text: 'Indexing the workspace… 40%' });
    assert.deepEqual(chatActivity({ indexing: {} }), { text: 'Indexing the workspace…' });
    assert.equal(chatActivity({}), null);
  });
});

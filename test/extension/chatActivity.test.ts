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

  it('shows the repository prefix when no load or indexing runs', () => {
    const preparing = { phase: 'preparing', done: 6_700, total: 15_872 } as const;
    assert.deepEqual(chatActivity({ repository: preparing }), { text: 'preparing repository 42%' });
    assert.deepEqual(chatActivity({ repository: { phase: 'ready', tokens: 15_872, diskTokens: 0 } }), {
      text: 'repository 15,872 tokens · ready',
    });
    assert.deepEqual(chatActivity({ indexing: { fraction: 0.5 }, repository: preparing }), {
      text: 'Indexing the workspace… 50%',
    });
  });
});

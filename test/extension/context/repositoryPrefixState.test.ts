import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repositoryPrefixText, repositoryPrefixTooltip } from '../../../src/extension/context/repositoryPrefixState';

describe('repositoryPrefixText', () => {
  it('says how far the prefix is, rounding down, and its size once ready', () => {
    assert.equal(repositoryPrefixText({ phase: 'preparing', done: 0, total: 15_872 }), 'preparing repository 0%');
    assert.equal(repositoryPrefixText({ phase: 'preparing', done: 15_871, total: 15_872 }), 'preparing repository 99%');
    assert.equal(repositoryPrefixText({ phase: 'preparing', done: 0, total: 0 }), 'preparing repository 0%');
    assert.equal(
      repositoryPrefixText({ phase: 'ready', tokens: 15_872, diskTokens: 15_744 }),
      'repository 15,872 tokens · ready',
    );
  });

  it('says in the tooltip how much came from disk', () => {
    assert.equal(
      repositoryPrefixTooltip({ phase: 'ready', tokens: 15_872, diskTokens: 15_744 }),
      'The repository overview every question starts with is computed: 15,872 tokens (15,744 of them restored from disk).',
    );
    assert.equal(
      repositoryPrefixTooltip({ phase: 'preparing', done: 512, total: 2_048 }),
      'Hearth is computing the repository overview every question starts with: 512 of 2,048 tokens, in the background (questions and completions go first).',
    );
  });
});

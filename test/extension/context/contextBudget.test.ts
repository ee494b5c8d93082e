import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerReserve, contextBudget, defaultContextBudget } from '../../../src/extension/context/contextBudget';
import { contextExcludes } from '../../../src/extension/context/contextExcludes';

describe('contextBudget', () => {
  it('defaults to three quarters of the context less the answer room', () => {
    assert.deepEqual([4_096, 32_768, 40_960, 262_144].map(defaultContextBudget), [2_560, 20_480, 26_624, 192_512]);
    assert.deepEqual([4_096, 32_768, 262_144].map(answerReserve), [512, 4_096, 4_096]);
  });

  it('takes the setting, capped to what leaves room for the conversation and the answer', () => {
    assert.equal(contextBudget(0, 32_768), 20_480);
    assert.equal(contextBudget(8_000, 32_768), 8_000);
    assert.equal(contextBudget(30_000, 32_768), 26_624); // 32,768 − 4,096 answer − 2,048 conversation
    assert.equal(contextBudget(1_000_000, 262_144), 256_000);
  });

  it('stays within what context/pack accepts', () => {
    assert.equal(contextBudget(0, 256), 256);
    assert.equal(contextBudget(10, 32_768), 256);
    assert.equal(contextBudget(Number.NaN, 4_096), 2_560);
  });
});

describe('contextExcludes', () => {
  it("takes files.exclude's enabled globs and Hearth's own, once each", () => {
    const filesExclude = {
      '**/.git': true,
      '**/node_modules': true,
      '**/*.js': { when: '$(basename).ts' },
      '**/dist': false,
    };
    assert.deepEqual(contextExcludes(filesExclude, ['**/fixtures/**', ' ', '**/node_modules', 42]), [
      '**/.git',
      '**/node_modules',
      '**/fixtures/**',
    ]);
  });

  it('reads missing or malformed settings as none', () => {
    assert.deepEqual(contextExcludes(undefined, undefined), []);
    assert.deepEqual(contextExcludes('**/x', { glob: true }), []);
  });
});

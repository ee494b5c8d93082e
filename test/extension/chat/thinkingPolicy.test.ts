import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finalThinking, looksLikeRefactor, planThinking } from '../../../src/extension/chat/thinkingPolicy';

describe('looksLikeRefactor', () => {
  const refactors = [
    'Refactor the engine supervisor to use a state machine',
    'extract the retry loop into its own function',
    'Rename fetchUser to loadUser across the codebase',
    'rename the config field everywhere',
    'Migrate the tests from mocha to node:test',
    'Rewrite parseArgs without the switch',
    'split contextPacker.ts into two files',
    'Move the tokenizer code to src/engine/text',
    'please restructure the download module',
    'Convert the callbacks in server.ts to async/await',
    'clean up the error handling in main.ts',
    'break this class up into smaller pieces',
    'pull the validation out into a helper',
    'How should I split the scheduler into smaller modules?',
    'What is the best way to migrate to ESM?',
    'deduplicate the two fence helpers',
  ];
  const quick = [
    'What does extractSymbols return?',
    'Where is the prefix cache invalidated?',
    'why did we split the parser?',
    'Is the move constructor used anywhere?',
    'What does `refactorSelection` do?',
    'explain the scheduler',
    'rename this variable',
    'How many files are there?',
    'fix the typo in the README',
    '',
  ];
  for (const question of refactors)
    it(`thinks for: ${question}`, () => assert.equal(looksLikeRefactor(question), true));
  for (const question of quick)
    it(`answers quickly: ${JSON.stringify(question)}`, () => assert.equal(looksLikeRefactor(question), false));
});

describe('planThinking', () => {
  it('follows the toggle on a hybrid model', () => {
    assert.deepEqual(planThinking('on', 'hybrid', 'what is this?'), {
      request: 'on',
      decision: { enabled: true, decidedBy: 'request' },
    });
    assert.deepEqual(planThinking('off', 'hybrid', 'refactor everything'), {
      request: 'off',
      decision: { enabled: false, decidedBy: 'request' },
    });
  });

  it('guesses in auto mode and says so', () => {
    assert.deepEqual(planThinking('auto', 'hybrid', 'Extract the loop into a function'), {
      request: 'on',
      decision: { enabled: true, decidedBy: 'auto' },
    });
    assert.deepEqual(planThinking('auto', 'hybrid', 'Where is main?'), {
      request: 'off',
      decision: { enabled: false, decidedBy: 'auto' },
    });
  });

  it('lets models that can do only one thing do it, whatever the toggle says', () => {
    for (const mode of ['auto', 'on', 'off'] as const) {
      assert.deepEqual(planThinking(mode, 'instruct-2507', 'refactor it'), {
        request: 'off',
        decision: { enabled: false, decidedBy: 'model' },
      });
      assert.deepEqual(planThinking(mode, 'thinking-2507', 'where is main?'), {
        request: 'on',
        decision: { enabled: true, decidedBy: 'model' },
      });
    }
  });
});

describe('finalThinking', () => {
  const auto = planThinking('auto', 'hybrid', 'refactor it');
  it('keeps "auto" for what Hearth asked for', () => {
    assert.deepEqual(finalThinking(auto, { enabled: true, decidedBy: 'request' }), {
      enabled: true,
      decidedBy: 'auto',
    });
  });
  it("takes the engine's word for a soft switch or the model", () => {
    assert.deepEqual(finalThinking(auto, { enabled: false, decidedBy: 'soft-switch' }), {
      enabled: false,
      decidedBy: 'soft-switch',
    });
    assert.deepEqual(finalThinking(planThinking('on', 'hybrid', 'x'), { enabled: true, decidedBy: 'request' }), {
      enabled: true,
      decidedBy: 'request',
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectModelKind, reasoningStartFor, resolveThinking } from '../../../src/engine/text/modelKind';
import { THINKING_MODES } from '../../../src/shared/protocol';

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

describe('detectModelKind', () => {
  it('classifies by what the template does', () => {
    assert.equal(
      detectModelKind('{%- if enable_thinking is defined and enable_thinking is false %}', '<|im_start|>assistant\n'),
      'hybrid',
    );
    assert.equal(detectModelKind('…', '<|im_start|>assistant\n<think>\n'), 'thinking-2507');
    assert.equal(detectModelKind('…', '<|im_start|>assistant\n'), 'instruct-2507');
    assert.equal(
      detectModelKind('… enable_thinking_budget …', '<|im_start|>assistant\n'),
      'instruct-2507',
      'a whole word only',
    );
  });

  it('maps each kind to where its output starts', () => {
    assert.deepEqual(
      ['hybrid', 'instruct-2507', 'thinking-2507'].map((kind) => reasoningStartFor(kind as never)),
      ['optional', 'content', 'inside'],
    );
  });
});

describe('resolveThinking', () => {
  const modes = THINKING_MODES;

  it('follows the request on a hybrid model: auto and on think, off does not', () => {
    assert.deepEqual(
      modes.map((mode) => resolveThinking('hybrid', mode, [user('Explain this')])),
      [
        { enabled: true, decidedBy: 'request' },
        { enabled: true, decidedBy: 'request' },
        { enabled: false, decidedBy: 'request' },
      ],
    );
  });

  it('lets /think and /no_think in the latest user turn override the request', () => {
    for (const mode of modes) {
      assert.deepEqual(resolveThinking('hybrid', mode, [user('Rename this /no_think')]), {
        enabled: false,
        decidedBy: 'soft-switch',
      });
      assert.deepEqual(resolveThinking('hybrid', mode, [user('/think Refactor this')]), {
        enabled: true,
        decidedBy: 'soft-switch',
      });
    }
  });

  it('takes the last switch of the latest user turn, and ignores earlier turns', () => {
    assert.equal(resolveThinking('hybrid', 'auto', [user('/think no wait /no_think')]).enabled, false);
    assert.equal(resolveThinking('hybrid', 'off', [user('/no_think, actually /think.')]).enabled, true);
    const history = [user('Quick one /no_think'), assistant('Sure.'), user('Now the hard part')];
    assert.deepEqual(resolveThinking('hybrid', 'auto', history), { enabled: true, decidedBy: 'request' });
  });

  it('does not mistake paths and longer words for switches', () => {
    for (const text of [
      'open src/think.ts',
      'see /think.md',
      'the /thinking mode',
      'docs/no_think',
      'a/no_think-b',
      'x//think',
    ]) {
      assert.deepEqual(resolveThinking('hybrid', 'off', [user(text)]), { enabled: false, decidedBy: 'request' }, text);
    }
    assert.equal(resolveThinking('hybrid', 'off', [user('(/think)')]).enabled, true);
    assert.equal(resolveThinking('hybrid', 'off', [user('line one\n/think\n')]).enabled, true);
  });

  it('leaves the 2507 models to do the one thing they can', () => {
    for (const mode of modes) {
      assert.deepEqual(resolveThinking('instruct-2507', mode, [user('/think')]), {
        enabled: false,
        decidedBy: 'model',
      });
      assert.deepEqual(resolveThinking('thinking-2507', mode, [user('/no_think')]), {
        enabled: true,
        decidedBy: 'model',
      });
    }
  });
});

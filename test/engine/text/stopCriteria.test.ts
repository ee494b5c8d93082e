import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../../src/shared/engineError';
import { StopCriteria, type StopOptions, type StopStep } from '../../../src/engine/text/stopCriteria';

const EOS = [151645, 151643];
const TOKEN = 1;

/** Feeds text pieces as ordinary tokens until one ends generation. */
function run(options: Partial<StopOptions>, pieces: readonly string[]): StopStep[] {
  const criteria = new StopCriteria({ eosTokenIds: EOS, maxTokens: 100, ...options });
  const out: StopStep[] = [];
  for (const piece of pieces) {
    const step = criteria.accept(TOKEN, piece);
    out.push(step);
    if (step.finish !== undefined) break;
  }
  return out;
}

describe('StopCriteria', () => {
  it('stops on any of the end tokens, without their text', () => {
    const criteria = new StopCriteria({ eosTokenIds: EOS, maxTokens: 10 });
    assert.deepEqual(criteria.accept(TOKEN, 'Hi'), { text: 'Hi' });
    assert.equal(criteria.isEndToken(151643), true);
    assert.deepEqual(criteria.accept(151643, '<|endoftext|>'), { text: '', finish: 'stop' });
    assert.equal(criteria.finishReason, 'stop');
    assert.equal(criteria.tokenCount, 2);
    assert.throws(() => criteria.accept(TOKEN, 'more'), /after generation finished/);
  });

  it('finds a stop string split over tokens and emits nothing from it on', () => {
    assert.deepEqual(run({ stopStrings: ['\n```'] }, ['x = 1', '\n', '``', '`\nmore']), [
      { text: 'x = 1' },
      { text: '' },
      { text: '' },
      { text: '', finish: 'stop', stopString: '\n```' },
    ]);
    assert.deepEqual(run({ stopStrings: ['END'] }, ['abcENDdef']), [
      { text: 'abc', finish: 'stop', stopString: 'END' },
    ]);
  });

  it('releases held text as soon as it can no longer become a stop string', () => {
    assert.deepEqual(run({ stopStrings: ['<|user|>'] }, ['a <|us', 'age', ' <', '|user|> b']), [
      { text: 'a ' },
      { text: '<|usage' },
      { text: ' ' },
      { text: '', finish: 'stop', stopString: '<|user|>' },
    ]);
  });

  it('takes the stop string that starts first, the first listed on a tie', () => {
    assert.deepEqual(run({ stopStrings: ['cd', 'bcde'] }, ['ab', 'cde']), [
      { text: 'a' },
      { text: '', finish: 'stop', stopString: 'bcde' },
    ]);
    assert.deepEqual(run({ stopStrings: ['ab', 'abc'] }, ['xabc']), [{ text: 'x', finish: 'stop', stopString: 'ab' }]);
  });

  it('stops at the token limit, releasing held text', () => {
    assert.deepEqual(run({ stopStrings: ['STOP'], maxTokens: 3 }, ['one', ' two', ' ST', ' four']), [
      { text: 'one' },
      { text: ' two' },
      { text: ' ST', finish: 'length' },
    ]);
    assert.deepEqual(run({ maxTokens: 2 }, ['a', 'STOP']), [{ text: 'a' }, { text: 'STOP', finish: 'length' }]);
    assert.deepEqual(
      run({ stopStrings: ['STOP'], maxTokens: 2 }, ['a', 'STOP']),
      [{ text: 'a' }, { text: '', finish: 'stop', stopString: 'STOP' }],
      'a stop string on the last allowed token is a stop',
    );
  });

  it('an end token on the last allowed token is a stop, not the length', () => {
    const criteria = new StopCriteria({ eosTokenIds: EOS, maxTokens: 1 });
    assert.deepEqual(criteria.accept(151645, ''), { text: '', finish: 'stop' });
  });

  it('cancels, releasing held text once', () => {
    const criteria = new StopCriteria({ eosTokenIds: EOS, stopStrings: ['###'], maxTokens: 10 });
    assert.deepEqual(criteria.accept(TOKEN, 'Title #'), { text: 'Title ' });
    assert.deepEqual(criteria.cancel(), { text: '#', finish: 'cancelled' });
    assert.deepEqual(criteria.cancel(), { text: '' });
    assert.equal(criteria.finishReason, 'cancelled');
  });

  it('rejects empty stop strings and token limits below 1 as InvalidParams', () => {
    for (const options of [{ stopStrings: [''] }, { maxTokens: 0 }, { maxTokens: 2.5 }]) {
      assert.throws(
        () => new StopCriteria({ eosTokenIds: EOS, maxTokens: 10, ...options }),
        (error: unknown) => {
          assert.ok(error instanceof EngineError);
          assert.equal(error.kind, 'InvalidParams');
          return true;
        },
      );
    }
  });
});

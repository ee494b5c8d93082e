import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GeneratedText, type OutputDelta } from '../../../src/engine/text/generatedText';
import type { ReasoningStart } from '../../../src/shared/reasoningParser';
import type { StopOptions } from '../../../src/engine/text/stopCriteria';
import { qwen3Tokenizer } from './qwen3TokenizerFixture';

const IM_END = 151645;
const EOS = [IM_END, 151643];

describe('GeneratedText', () => {
  const tokenizer = qwen3Tokenizer();

  function generate(ids: readonly number[], options: Partial<StopOptions> & { reasoningStart: ReasoningStart }) {
    const output = new GeneratedText(tokenizer, { eosTokenIds: EOS, maxTokens: 1000, ...options });
    const deltas: OutputDelta[] = [];
    for (const id of ids) {
      deltas.push(output.push(id));
      if (output.finishReason !== undefined) break;
    }
    return { output, deltas };
  }

  it('splits a hybrid model thinking into reasoning and answer, ending on <|im_end|>', () => {
    const ids = [...tokenizer.encode('<think>\nLet me check main.ts.\n</think>\n\nIt starts the engine 🚀.'), IM_END];
    const { output, deltas } = generate(ids, { reasoningStart: 'optional' });
    assert.equal(output.reasoning, 'Let me check main.ts.');
    assert.equal(output.content, 'It starts the engine 🚀.');
    assert.equal(output.finishReason, 'stop');
    assert.equal(output.tokenCount, ids.length);
    assert.equal(deltas.at(-1)?.finish, 'stop');
    assert.ok(deltas.every((delta) => !delta.reasoning.includes('\uFFFD') && !delta.content.includes('\uFFFD')));
    assert.deepEqual(
      deltas.slice(0, 4),
      [
        { reasoning: '', content: '' },
        { reasoning: '', content: '' },
        { reasoning: 'Let', content: '' },
        { reasoning: ' me', content: '' },
      ],
      '<think> and the newline after it never reach the user',
    );
  });

  it('starts Thinking-2507 inside the reasoning and stops at a stop string', () => {
    const ids = tokenizer.encode('Plan it.\n</think>\n\nAnswer: 42\nUser: next question');
    const { output } = generate(ids, { reasoningStart: 'inside', stopStrings: ['\nUser:'] });
    assert.equal(output.reasoning, 'Plan it.');
    assert.equal(output.content, 'Answer: 42');
    assert.equal(output.finishReason, 'stop');
  });

  it('decodes a character cut off by the token limit as U+FFFD, as a whole decode would', () => {
    const ids = tokenizer.encode('Hi 👩');
    assert.deepEqual(ids, [13048, 61804, 102]);
    const { output, deltas } = generate(ids, { reasoningStart: 'content', maxTokens: 2 });
    assert.equal(output.content, 'Hi \uFFFD');
    assert.equal(output.content, tokenizer.decode(ids.slice(0, 2)));
    assert.deepEqual(deltas, [
      { reasoning: '', content: 'Hi' },
      { reasoning: '', content: ' \uFFFD', finish: 'length' },
    ]);
  });

  it('never outputs the end token, even one the tokenizer does not mark special', () => {
    const period = tokenizer.encode('.')[0];
    const { output } = generate(tokenizer.encode('Done. More'), { reasoningStart: 'content', eosTokenIds: [period] });
    assert.equal(output.content, 'Done');
    assert.equal(output.finishReason, 'stop');
  });

  it('cancels mid-reasoning, releasing what was held back', () => {
    const output = new GeneratedText(tokenizer, { eosTokenIds: EOS, maxTokens: 100, reasoningStart: 'optional' });
    for (const id of tokenizer.encode('<think>\nWeighing options </thi')) output.push(id);
    assert.equal(output.reasoning, 'Weighing options ', 'what may be the start of </think> waits');
    assert.deepEqual(output.cancel(), { reasoning: '</thi', content: '', finish: 'cancelled' });
    assert.deepEqual(output.cancel(), { reasoning: '', content: '' });
    assert.equal(output.finishReason, 'cancelled');
  });
});

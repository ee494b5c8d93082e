import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReasoningParser, type ReasoningDelta, type ReasoningStart } from '../../src/shared/reasoningParser';

/** Feeds the pieces, then finishes; returns each step's delta. */
function steps(start: ReasoningStart, pieces: readonly string[]): ReasoningDelta[] {
  const parser = new ReasoningParser(start);
  return [...pieces.map((piece) => parser.push(piece)), parser.finish()];
}

function channels(start: ReasoningStart, pieces: readonly string[]): ReasoningDelta {
  const out = steps(start, pieces);
  return { reasoning: out.map((d) => d.reasoning).join(''), content: out.map((d) => d.content).join('') };
}

/** Every way to cut `text` into two pieces, and into three for texts short enough. */
function* splits(text: string): Generator<string[]> {
  yield [text];
  yield [...text];
  for (let i = 0; i <= text.length; i++) yield [text.slice(0, i), text.slice(i)];
  if (text.length > 60) return;
  for (let i = 1; i < text.length; i++) {
    for (let j = i + 1; j < text.length; j++) yield [text.slice(0, i), text.slice(i, j), text.slice(j)];
  }
}

/** Output → expected channels, for each way the output may start. */
const CASES: { start: ReasoningStart; output: string; reasoning: string; content: string; why: string }[] = [
  {
    start: 'optional',
    output: '<think>\nLet me see.\n</think>\n\nThe answer.',
    reasoning: 'Let me see.',
    content: 'The answer.',
    why: 'hybrid Qwen3, thinking',
  },
  { start: 'optional', output: '<think>\n\n</think>\n\nHi!', reasoning: '', content: 'Hi!', why: 'empty think block' },
  {
    start: 'optional',
    output: 'Plain answer, no tags.',
    reasoning: '',
    content: 'Plain answer, no tags.',
    why: 'hybrid, not thinking',
  },
  {
    start: 'optional',
    output: '\n<think>a\nb</think>c',
    reasoning: 'a\nb',
    content: 'c',
    why: 'whitespace before <think>',
  },
  {
    start: 'optional',
    output: 'Use <think> tags </think> like this',
    reasoning: '',
    content: 'Use <think> tags </think> like this',
    why: 'tags after the start are text',
  },
  {
    start: 'optional',
    output: '<think>x</think>Say </think> or <think>.',
    reasoning: 'x',
    content: 'Say </think> or <think>.',
    why: 'only the first </think> closes',
  },
  {
    start: 'optional',
    output: '<think>a </thinking> b < c </thi</think>d',
    reasoning: 'a </thinking> b < c </thi',
    content: 'd',
    why: 'near-misses of the tag',
  },
  { start: 'optional', output: '<thin', reasoning: '', content: '<thin', why: 'a tag prefix that never completes' },
  {
    start: 'optional',
    output: '<think>\nstill thinking when cut off\n',
    reasoning: 'still thinking when cut off',
    content: '',
    why: 'truncated reasoning',
  },
  {
    start: 'inside',
    output: 'Reasoning here.\n</think>\n\nAnswer.\n',
    reasoning: 'Reasoning here.',
    content: 'Answer.',
    why: 'Thinking-2507',
  },
  {
    start: 'inside',
    output: '</think>\n\nAnswer.',
    reasoning: '',
    content: 'Answer.',
    why: 'Thinking-2507, no reasoning',
  },
  { start: 'inside', output: '</think>', reasoning: '', content: '', why: 'Thinking-2507, only the close tag' },
  {
    start: 'inside',
    output: '<think>\nr\n</think>\n\nc',
    reasoning: 'r',
    content: 'c',
    why: 'Thinking-2507 repeating the open tag',
  },
  { start: 'inside', output: 'never closes', reasoning: 'never closes', content: '', why: 'Thinking-2507 cut off' },
  {
    start: 'content',
    output: '<think>x</think>y',
    reasoning: '',
    content: '<think>x</think>y',
    why: 'Instruct-2507 never thinks',
  },
  {
    start: 'content',
    output: '\n\nParagraph one.\n\nParagraph two.\n\n',
    reasoning: '',
    content: 'Paragraph one.\n\nParagraph two.',
    why: 'newlines trimmed at the ends only',
  },
];

describe('ReasoningParser', () => {
  for (const { start, output, reasoning, content, why } of CASES) {
    it(`${why}: the same channels for every split of ${JSON.stringify(output)}`, () => {
      for (const pieces of splits(output))
        assert.deepEqual(channels(start, pieces), { reasoning, content }, JSON.stringify(pieces));
    });
  }

  it('streams each channel as soon as it can, holding back only possible tags and trailing newlines', () => {
    const pieces = ['<th', 'ink>', '\nStep', ' one\n', '</thi', 'nk>\n\n', 'Done', '\n'];
    assert.deepEqual(steps('optional', pieces), [
      { reasoning: '', content: '' },
      { reasoning: '', content: '' },
      { reasoning: 'Step', content: '' },
      { reasoning: ' one', content: '' },
      { reasoning: '', content: '' },
      { reasoning: '', content: '' },
      { reasoning: '', content: 'Done' },
      { reasoning: '', content: '' },
      { reasoning: '', content: '' },
    ]);
  });

  it('releases a held newline once more text follows it', () => {
    assert.deepEqual(steps('inside', ['a\n', '\nb', '\n</think>', 'c\n', 'd']), [
      { reasoning: 'a', content: '' },
      { reasoning: '\n\nb', content: '' },
      { reasoning: '', content: '' },
      { reasoning: '', content: 'c' },
      { reasoning: '', content: '\nd' },
      { reasoning: '', content: '' },
    ]);
  });

  it('reports its phase', () => {
    const parser = new ReasoningParser('optional');
    assert.equal(parser.currentPhase, 'start');
    parser.push('<think>');
    assert.equal(parser.currentPhase, 'reasoning');
    parser.push('x</think>');
    assert.equal(parser.currentPhase, 'content');
    assert.equal(new ReasoningParser('content').currentPhase, 'content');
  });
});

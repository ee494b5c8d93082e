/**
 * Property-based fuzz of the streaming reasoning/answer split: any cutting of an output into pieces gives the
 * same two channels as the whole output at once, and those are the channels the documented rule gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ReasoningParser, type ReasoningStart } from '../../src/shared/reasoningParser';

const STARTS: ReasoningStart[] = ['content', 'optional', 'inside'];

/** Outputs made mostly of tags, their pieces and newlines, where the parser's edge cases lie. */
const output = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('<think>', '</think>', '<th', 'ink>', '</', '<', '>', '\n', '\n\n') },
      { weight: 1, arbitrary: fc.constantFrom(' ', '\t', 'a', 'b c', '</think', '<think', 'é', '🙂') },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

/** The text cut at random places (empty pieces included). */
function chunked(text: string): fc.Arbitrary<string[]> {
  return fc.array(fc.nat({ max: text.length }), { maxLength: 12 }).map((cuts) => {
    const at = [0, ...cuts.sort((a, b) => a - b), text.length];
    return at.slice(1).map((end, index) => text.slice(at[index], end));
  });
}

function split(start: ReasoningStart, pieces: readonly string[]): { reasoning: string; content: string } {
  const parser = new ReasoningParser(start);
  const deltas = [...pieces.map((piece) => parser.push(piece)), parser.finish()];
  return {
    reasoning: deltas.map((delta) => delta.reasoning).join(''),
    content: deltas.map((delta) => delta.content).join(''),
  };
}

/** The rule, on the whole text: only a leading `<think>` opens reasoning, the first `</think>` closes it. */
function expectedSplit(start: ReasoningStart, text: string): { reasoning: string; content: string } {
  const strip = (channel: string) => channel.replace(/^\n+|\n+$/g, '');
  if (start === 'content') return { reasoning: '', content: strip(text) };
  const rest = text.trimStart();
  const opened = rest.startsWith('<think>');
  if (!opened && start === 'optional') return { reasoning: '', content: strip(text) };
  const inside = opened ? rest.slice('<think>'.length) : text;
  const close = inside.indexOf('</think>');
  if (close < 0) return { reasoning: strip(inside), content: '' };
  return { reasoning: strip(inside.slice(0, close)), content: strip(inside.slice(close + '</think>'.length)) };
}

describe('ReasoningParser under fuzzing', () => {
  it('splits any chunking of an output as it splits the whole output, by the documented rule', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STARTS),
        output.chain((text) => fc.tuple(fc.constant(text), chunked(text))),
        (start, [text, pieces]) => {
          assert.equal(pieces.join(''), text);
          const whole = split(start, [text]);
          assert.deepEqual(whole, expectedSplit(start, text));
          assert.deepEqual(split(start, pieces), whole);
          assert.deepEqual(split(start, [...text]), whole, 'one UTF-16 unit at a time (a decoder may split a pair)');
        },
      ),
      { numRuns: 5000 },
    );
  });
});

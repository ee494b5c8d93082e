import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cursorWindows, linesOf } from '../../../src/extension/completion/cursorWindows';

const numbered = (count: number) => Array.from({ length: count }, (_, i) => `line ${i}`).join('\n');

describe('cursorWindows', () => {
  it('splits the text around the cursor into lines above, the typed line, and what follows', () => {
    assert.deepEqual(cursorWindows(linesOf('a\nbc|d\ne'.replace('|', '')), { line: 1, character: 2 }), {
      before: 'a\n',
      beforeStartLine: 0,
      linePrefix: 'bc',
      lineSuffix: 'd',
      after: '\ne',
    });
  });

  it('starts the lines above on an aligned line within the budget, so new lines rarely move it', () => {
    const lines = linesOf(numbered(100));
    const limits = { beforeChars: 200, afterChars: 30, alignLines: 16 };
    // 200 characters hold 25 lines of "line NN\n" (8 characters): the earliest start for line 60 is 35.
    const at60 = cursorWindows(lines, { line: 60, character: 0 }, limits);
    assert.equal(at60.beforeStartLine, 48);
    assert.equal(at60.before, Array.from({ length: 12 }, (_, i) => `line ${48 + i}\n`).join(''));
    assert.equal(cursorWindows(lines, { line: 63, character: 0 }, limits).beforeStartLine, 48);
    assert.equal(cursorWindows(lines, { line: 74, character: 0 }, limits).beforeStartLine, 64);
    // The cursor at the start of line 60: the whole line follows it, and two more lines fit the 30 characters.
    assert.equal(at60.lineSuffix, 'line 60');
    assert.equal(at60.after, '\nline 61\nline 62');
  });

  it('clamps the cursor to its line and handles the first and last lines', () => {
    assert.deepEqual(cursorWindows(linesOf('only'), { line: 0, character: 99 }), {
      before: '',
      beforeStartLine: 0,
      linePrefix: 'only',
      lineSuffix: '',
      after: '',
    });
  });
});

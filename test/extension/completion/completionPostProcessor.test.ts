import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  postProcessCompletion,
  stripReasoning,
  type PostProcessContext,
} from '../../../src/extension/completion/completionPostProcessor';
import { completionShape } from '../../../src/extension/completion/completionShape';
import { cursorWindows, linesOf } from '../../../src/extension/completion/cursorWindows';
import type { PromptStyle } from '../../../src/extension/completion/promptStyle';

/** The context for a cursor marked `|` in `text`. */
function at(text: string, style: PromptStyle = 'fim', truncated = false): PostProcessContext {
  const offset = text.indexOf('|');
  const clean = text.slice(0, offset) + text.slice(offset + 1);
  const line = text.slice(0, offset).split('\n').length - 1;
  const character = offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const windows = cursorWindows(linesOf(clean), { line, character });
  return { windows, shape: completionShape(windows), style, truncated };
}

describe('postProcessCompletion', () => {
  it('keeps the rest of the line for a single-line completion', () => {
    assert.equal(
      postProcessCompletion('urn sum;\n}\n\nexport const x = 1;', at('function f() {\n  let sum = 0;\n  ret|\n}\n')),
      'urn sum;',
    );
  });

  it('strips reasoning and fences from a chat answer', () => {
    const context = at('function f() {\n  ret|\n}\n', 'chat');
    assert.equal(postProcessCompletion('<think>\nThe user wants a return.\n</think>\n\nurn 1;', context), 'urn 1;');
    assert.equal(
      postProcessCompletion('urn 1;\n```\nThis returns one.', { ...context, shape: 'multi-line' }),
      'urn 1;',
    );
    assert.equal(postProcessCompletion('<think>\nStill thinking when the budget ran out', context), undefined);
    assert.equal(postProcessCompletion('```ts\n  return 1;\n```', at('function f() {\n|\n}\n', 'chat')), '  return 1;');
  });

  it('removes an echo of the typed line, and of the line above', () => {
    assert.equal(postProcessCompletion('  const total = 1;', at('function f() {\n  const tot|\n}\n')), 'al = 1;');
    assert.equal(postProcessCompletion('const total = 1;', at('function f() {\n  const tot|\n}\n')), 'al = 1;');
    assert.equal(
      postProcessCompletion(
        '// sum the values\n  let sum = 0;\n  return sum;',
        at('function f() {\n  // sum the values\n  |\n}\n'),
      ),
      'let sum = 0;\n  return sum;',
    );
  });

  it('cuts a block where it closes: the editor already has the rest', () => {
    assert.equal(
      postProcessCompletion('  return a + b;\n}\n\nfunction g() {\n  return 2;\n}', at('function f(a, b) {\n|\n}\n')),
      '  return a + b;',
    );
    assert.equal(postProcessCompletion('\n  return 1;\n}', at('function f() {|}\n')), '\n  return 1;');
    assert.equal(
      postProcessCompletion('    return 1\n\ndef g():\n    pass', at('def f():\n    |\n', 'chat')),
      'return 1',
    );
    assert.equal(postProcessCompletion('return x\n\ndef g():\n    pass', at('def f(x):\n    |\n')), 'return x');
  });

  it('drops the unfinished last line of a block cut short', () => {
    assert.equal(
      postProcessCompletion('  let sum = 0;\n  for (const x of', at('function f(xs) {\n|\n}\n', 'fim', true)),
      '  let sum = 0;',
    );
  });

  it('drops the text that follows the cursor from the end of the suggestion', () => {
    assert.equal(postProcessCompletion('a, b);', at('const x = add(|);\n')), 'a, b');
    assert.equal(postProcessCompletion('a, b', at('const x = add(|);\n')), 'a, b');
  });

  it('gives nothing when the suggestion only repeats what follows the cursor', () => {
    assert.equal(
      postProcessCompletion('  return sum;', at('function f() {\n  let sum = 0;\n|\n  return sum;\n}\n')),
      undefined,
    );
    assert.equal(postProcessCompletion(');', at('const x = add(|);\n')), undefined);
    assert.equal(postProcessCompletion('   \n', at('const x = |\n')), undefined);
    assert.equal(postProcessCompletion('\nconst y = 2;', at('const x = 1;|\n')), undefined); // single line: the next line is not ours
  });

  it('counts \\r\\n and a lone \\r as line breaks: a single-line suggestion stays on its line', () => {
    const context = at('function f() {\n  let sum = 0;\n  ret|\n}\n');
    assert.equal(postProcessCompletion('urn sum;\r}\r\n', context), 'urn sum;');
    assert.equal(postProcessCompletion('urn sum;\r\n}', context), 'urn sum;');
  });

  it('keeps a FIM answer verbatim otherwise, leading spaces included', () => {
    assert.equal(postProcessCompletion(' + 1;', at('const x = y|\n')), ' + 1;');
  });
});

describe('stripReasoning', () => {
  it('keeps text without a think block, and the answer after one', () => {
    assert.equal(stripReasoning('x + 1'), 'x + 1');
    assert.equal(stripReasoning('<think>\n\n</think>\n\nx + 1'), 'x + 1');
    assert.equal(stripReasoning('  <think> unfinished'), undefined);
  });
});

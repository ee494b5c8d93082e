import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completionShape } from '../../../src/extension/completion/completionShape';
import { cursorWindows, linesOf } from '../../../src/extension/completion/cursorWindows';

function shapeAt(text: string): string {
  const offset = text.indexOf('|');
  const clean = text.slice(0, offset) + text.slice(offset + 1);
  const line = text.slice(0, offset).split('\n').length - 1;
  const character = offset - (text.lastIndexOf('\n', offset - 1) + 1);
  return completionShape(cursorWindows(linesOf(clean), { line, character }));
}

describe('completionShape', () => {
  it('writes a block into an empty block just opened', () => {
    assert.equal(shapeAt('function f() {\n  |\n}\n'), 'multi-line');
    assert.equal(shapeAt('function f() {\n|\n}\n'), 'multi-line');
    assert.equal(shapeAt('function f() {|}\n'), 'multi-line');
    assert.equal(shapeAt('function f() {|\n}\n'), 'multi-line');
    assert.equal(shapeAt('def f(x):\n    |\n'), 'multi-line');
    assert.equal(shapeAt('items.forEach((item) => {\n  |\n});\n'), 'multi-line');
  });

  it('writes a block under a comment that says what comes next, and at the start of a file', () => {
    assert.equal(shapeAt('// sort the users by name\n|\n'), 'multi-line');
    assert.equal(shapeAt('x = 1\n# print the total\n|'), 'multi-line');
    assert.equal(shapeAt('|'), 'multi-line');
  });

  it('finishes the line everywhere else', () => {
    assert.equal(shapeAt('const x = add(|);\n'), 'single-line'); // closers only after the cursor: still one line
    assert.equal(shapeAt('const x = |foo;\n'), 'single-line'); // mid-line
    assert.equal(shapeAt('function f() {\n  |\n  return 1;\n}\n'), 'single-line'); // the block has a body
    assert.equal(shapeAt('const a = 1;\n|\n'), 'single-line');
    assert.equal(shapeAt('function f() {\n  const total = |\n}\n'), 'single-line');
    assert.equal(shapeAt('const config: |\n'), 'single-line'); // a type annotation, not a Python block
  });
});

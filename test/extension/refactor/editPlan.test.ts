import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonIndent, looksLikeWholeFile, planApply, reindent } from '../../../src/extension/refactor/editPlan';

const file = 'import { b } from "./b";\n\nexport function a(x: number): number {\n  const y = b(x);\n  return y * 2;\n}\n';

describe('planApply', () => {
  it('replaces the selection, without a blank line the fence added', () => {
    const start = file.indexOf('return');
    const end = file.indexOf(';', start) + 1;
    assert.deepEqual(planApply({ text: file, selection: { start, end }, code: 'return y * 3;\n' }), { mode: 'selection', start, end, newText: 'return y * 3;' });
  });

  it('keeps whole lines whole when the code has no final newline', () => {
    const start = file.indexOf('  const');
    const end = file.indexOf('  return');
    assert.equal(planApply({ text: file, selection: { start, end }, code: '  const y = b(x) + 1;' }).newText, '  const y = b(x) + 1;\n');
  });

  it('indents a replacement of whole lines like the lines it replaces', () => {
    const start = file.indexOf('  const');
    const end = file.indexOf('}\n');
    const plan = planApply({ text: file, selection: { start, end }, code: 'const y = b(x) * 3;\nreturn y;\n' });
    assert.deepEqual(plan, { mode: 'selection', start, end, newText: '  const y = b(x) * 3;\n  return y;\n' });
  });

  it('replaces the whole file when the block is a new version of it', () => {
    const newVersion = file.replace('y * 2', 'y * 3').replace(/\n$/, '');
    assert.deepEqual(planApply({ text: file, selection: { start: 10, end: 10 }, code: newVersion }), { mode: 'file', start: 0, end: file.length, newText: `${newVersion}\n` });
  });

  it('inserts a snippet at the cursor', () => {
    const at = file.length;
    assert.deepEqual(planApply({ text: file, selection: { start: at, end: at }, code: 'export const c = 3;\n' }), { mode: 'cursor', start: at, end: at, newText: 'export const c = 3;\n' });
  });

  it('fills an empty file', () => {
    assert.deepEqual(planApply({ text: '', selection: { start: 0, end: 0 }, code: 'x\n' }), { mode: 'file', start: 0, end: 0, newText: 'x\n' });
  });
});

describe('looksLikeWholeFile', () => {
  it('wants at least half the lines, half of them shared', () => {
    assert.equal(looksLikeWholeFile(file, file), true);
    assert.equal(looksLikeWholeFile('return y * 3;', file), false);
    assert.equal(looksLikeWholeFile('a\nb\nc\nd\ne\n', file), false);
  });
});

describe('indentation', () => {
  it('finds the indentation shared by non-blank lines', () => {
    assert.equal(commonIndent('    a\n\n  b\n    c'), '  ');
    assert.equal(commonIndent('\ta\n\t\tb'), '\t');
    assert.equal(commonIndent(''), '');
  });

  it('indents only code that has no indentation of its own', () => {
    assert.equal(reindent('a\n\n  b\n', '    '), '    a\n\n      b\n');
    assert.equal(reindent('  a\n  b', '    '), '  a\n  b');
    assert.equal(reindent('a', ''), 'a');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withLineEnding } from '../../../src/extension/lineBreaks';
import { commonIndent, looksLikeWholeFile, planApply, reindent } from '../../../src/extension/refactor/editPlan';

const file =
  'import { b } from "./b";\n\nexport function a(x: number): number {\n  const y = b(x);\n  return y * 2;\n}\n';

describe('planApply', () => {
  it('replaces the selection, without a blank line the fence added', () => {
    const start = file.indexOf('return');
    const end = file.indexOf(';', start) + 1;
    assert.deepEqual(planApply({ text: file, selection: { start, end }, code: 'return y * 3;\n' }), {
      mode: 'selection',
      start,
      end,
      newText: 'return y * 3;',
    });
  });

  it('keeps whole lines whole when the code has no final newline', () => {
    const start = file.indexOf('  const');
    const end = file.indexOf('  return');
    assert.equal(
      planApply({ text: file, selection: { start, end }, code: '  const y = b(x) + 1;' }).newText,
      '  const y = b(x) + 1;\n',
    );
  });

  it('indents a replacement of whole lines like the lines it replaces', () => {
    const start = file.indexOf('  const');
    const end = file.indexOf('}\n');
    const plan = planApply({ text: file, selection: { start, end }, code: 'const y = b(x) * 3;\nreturn y;\n' });
    assert.deepEqual(plan, { mode: 'selection', start, end, newText: '  const y = b(x) * 3;\n  return y;\n' });
  });

  it('replaces the whole file when the block is a new version of it', () => {
    const newVersion = file.replace('y * 2', 'y * 3').replace(/\n$/, '');
    assert.deepEqual(planApply({ text: file, selection: { start: 10, end: 10 }, code: newVersion }), {
      mode: 'file',
      start: 0,
      end: file.length,
      newText: `${newVersion}\n`,
    });
  });

  it('inserts a snippet at the cursor', () => {
    const at = file.length;
    assert.deepEqual(planApply({ text: file, selection: { start: at, end: at }, code: 'export const c = 3;\n' }), {
      mode: 'cursor',
      start: at,
      end: at,
      newText: 'export const c = 3;\n',
    });
  });

  it('fills an empty file', () => {
    assert.deepEqual(planApply({ text: '', selection: { start: 0, end: 0 }, code: 'x\n' }), {
      mode: 'file',
      start: 0,
      end: 0,
      newText: 'x\n',
    });
  });

  it('writes every line break the model wrote (\\r\\n, \\n or a lone \\r) as \\n, in LF and CRLF files', () => {
    const code = 'const y = b(x) * 3;\r\nreturn y;\rdone();\n';
    const start = file.indexOf('  const');
    const end = file.indexOf('}\n');
    assert.equal(
      planApply({ text: file, selection: { start, end }, code }).newText,
      '  const y = b(x) * 3;\n  return y;\n  done();\n',
    );
    const crlf = file.replaceAll('\n', '\r\n');
    const crlfStart = crlf.indexOf('  const');
    const crlfEnd = crlf.indexOf('}\r\n');
    assert.equal(
      planApply({ text: crlf, selection: { start: crlfStart, end: crlfEnd }, code }).newText,
      '  const y = b(x) * 3;\n  return y;\n  done();\n',
    );
    assert.equal(planApply({ text: crlf, selection: { start: 0, end: 0 }, code: 'a\r\nb\r\n' }).newText, 'a\nb\n');
  });

  it('drops the final line break of a CRLF block for a selection inside a line', () => {
    const crlf = file.replaceAll('\n', '\r\n');
    const start = crlf.indexOf('return');
    const end = crlf.indexOf(';', start) + 1;
    assert.equal(
      planApply({ text: crlf, selection: { start, end }, code: 'return y * 3;\r\n' }).newText,
      'return y * 3;',
    );
  });
});

describe('withLineEnding', () => {
  it('writes \\r\\n, \\n and a lone \\r as the line ending asked for, and nothing else', () => {
    assert.equal(withLineEnding('a\r\nb\rc\nd\r\n\r\n', '\r\n'), 'a\r\nb\r\nc\r\nd\r\n\r\n');
    assert.equal(withLineEnding('a\r\nb\rc\nd\n\r', '\n'), 'a\nb\nc\nd\n\n');
    assert.equal(withLineEnding('no break', '\r\n'), 'no break');
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

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linesOf } from '../../../src/extension/completion/cursorWindows';
import { similarity, SnippetRing } from '../../../src/extension/completion/snippetRing';

const code = (name: string, lines = 4) =>
  Array.from({ length: lines }, (_, i) => `const ${name}${i} = ${i};`).join('\n');

describe('SnippetRing', () => {
  it('takes the chunk around a line, trimmed of blank lines, and skips chunks too small to help', () => {
    const ring = new SnippetRing({ capacity: 4, chunkLines: 4 });
    const lines = linesOf('\n\na = 1\nb = 2\nc = 3\n\n\nd = 4\n');
    assert.deepEqual(ring.chunkAround('x.py', lines, 3), { path: 'x.py', startLine: 2, text: 'a = 1\nb = 2\nc = 3' });
    assert.equal(ring.chunkAround('x.py', linesOf('a = 1\n\n\n\n\n'), 0), undefined);
  });

  it('keeps the newest chunks, replacing overlapping and near-duplicate ones', () => {
    const ring = new SnippetRing({ capacity: 3, chunkLines: 8 });
    assert.equal(ring.add({ path: 'a.ts', startLine: 0, text: code('a') }), true);
    assert.equal(ring.add({ path: 'a.ts', startLine: 0, text: code('a') }), false);
    ring.add({ path: 'a.ts', startLine: 2, text: code('b') }); // overlaps the first: replaces it
    ring.add({ path: 'c.ts', startLine: 0, text: code('b') }); // the same lines elsewhere: replaces that
    ring.add({ path: 'd.ts', startLine: 0, text: code('d') });
    ring.add({ path: 'e.ts', startLine: 0, text: code('e') });
    ring.add({ path: 'f.ts', startLine: 0, text: code('f') });
    assert.deepEqual(
      ring.select(10_000).map((s) => s.path),
      ['d.ts', 'e.ts', 'f.ts'],
    );
  });

  it('selects the newest chunks within the budget, oldest first, leaving out what the prompt shows anyway', () => {
    const ring = new SnippetRing({ capacity: 8, chunkLines: 8 });
    ring.add({ path: 'a.ts', startLine: 0, text: code('a') });
    ring.add({ path: 'b.ts', startLine: 0, text: code('b') });
    ring.add({ path: 'cur.ts', startLine: 40, text: code('c') });
    const budget = code('a').length * 2;
    assert.deepEqual(
      ring.select(budget).map((s) => s.path),
      ['b.ts', 'cur.ts'],
    );
    assert.deepEqual(
      ring.select(budget, { path: 'cur.ts', fromLine: 32, toLine: 60 }).map((s) => s.path),
      ['a.ts', 'b.ts'],
    );
    ring.forget('b.ts');
    assert.deepEqual(
      ring.select(budget, { path: 'cur.ts', fromLine: 0, toLine: 10 }).map((s) => s.path),
      ['a.ts', 'cur.ts'],
    );
  });

  it('measures similarity as shared lines over all lines', () => {
    assert.equal(similarity('a\nb\nc\nd', 'a\nb\nc\nd'), 1);
    assert.equal(similarity('a\nb', 'c\nd'), 0);
    assert.equal(similarity('a\nb\nc\nd', 'a\nb\nx\ny'), 0.5);
  });
});

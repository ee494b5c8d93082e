import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMentions } from '../../../src/extension/chat/mentionParser';

describe('parseMentions', () => {
  it('finds @paths with trailing punctuation removed, once each', () => {
    const { files, selection } = parseMentions(
      'Compare @src/a.ts and @README.md, then @src/a.ts again. Also @lib/b.py?',
    );
    assert.deepEqual(files, [
      { raw: '@src/a.ts', path: 'src/a.ts', pathLike: true },
      { raw: '@README.md', path: 'README.md', pathLike: true },
      { raw: '@lib/b.py', path: 'lib/b.py', pathLike: true },
    ]);
    assert.equal(selection, false);
  });

  it('takes backquoted paths with spaces', () => {
    assert.deepEqual(parseMentions('look at @`docs/my notes.md` please').files, [
      { raw: '@`docs/my notes.md`', path: 'docs/my notes.md', pathLike: true },
    ]);
  });

  it('marks bare words as not path-like and ignores e-mail addresses and decorators in code', () => {
    assert.deepEqual(parseMentions('mail me@example.com about @Makefile and `@Override`').files, [
      { raw: '@Makefile', path: 'Makefile', pathLike: false },
    ]);
  });

  it('finds #selection as a word of its own', () => {
    assert.equal(parseMentions('what does #selection do?').selection, true);
    assert.equal(parseMentions('#Selection: explain').selection, true);
    assert.equal(parseMentions('see issue#selection or #selections').selection, false);
  });

  it('finds nothing in a plain question', () => {
    assert.deepEqual(parseMentions('How does the packer order files?'), { files: [], selection: false });
  });
});

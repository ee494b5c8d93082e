import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RepositoryMap } from '../../../src/engine/context/repositoryMap';

const paths = [
  'README.md',
  'package.json',
  'src/index.ts',
  'src/engine/a.ts',
  'src/engine/b.ts',
  'src/engine/deep/c.ts',
  'src/engine/deep/d.ts',
  'src/engine/deep/e.ts',
  'test/a.test.ts',
];

describe('RepositoryMap', () => {
  it('names every file when there is room', () => {
    const map = new RepositoryMap(paths);
    const rendering = map.fit(10_000);
    assert.equal(
      rendering.text,
      './ README.md package.json\nsrc/ index.ts\nsrc/engine/ a.ts b.ts\nsrc/engine/deep/ c.ts d.ts e.ts\ntest/ a.test.ts\n',
    );
    assert.deepEqual([rendering.filesNamed, rendering.files], [9, 9]);
  });

  it('counts the files of folders it cannot name, shallow folders named first', () => {
    const rendering = new RepositoryMap(paths).fit(105);
    assert.equal(
      rendering.text,
      './ README.md package.json\nsrc/ index.ts\nsrc/engine/ a.ts b.ts\nsrc/engine/deep/ (3 files)\ntest/ a.test.ts\n',
    );
    assert.equal(rendering.filesNamed, 6);
  });

  it('folds folders too deep to list into their ancestor, so every file is still counted', () => {
    const map = new RepositoryMap(paths);
    assert.equal(map.render(1, 0).text, './ (2 files)\nsrc/ (6 files in 2 folders below)\ntest/ (1 file)\n');
    assert.equal(map.fit(62).text, map.render(1, 0).text);
    assert.equal(map.fit(40).text, './ (9 files in 4 folders below)\n');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { focusFilesFor, reusableBlock, type PackedBlock } from '../../../src/extension/chat/blockReuse';

const stats = {
  filesWhole: 3,
  filesOutlined: 1,
  filesListed: 0,
  filesOmitted: 0,
  tokens: 900,
  budget: 2_560,
  elapsedMs: 4,
};
const block: PackedBlock = { text: 'block', stats, budget: 2_560, contentVersion: 7, focusFiles: ['/ws/a.ts'] };

describe('reusableBlock', () => {
  it('reuses the block while the repository, the budget and the mentioned files stay', () => {
    assert.equal(reusableBlock(block, { budget: 2_560, contentVersion: 7, mentionedFiles: [] }), block);
    assert.equal(reusableBlock(block, { budget: 2_560, contentVersion: 7, mentionedFiles: ['/ws/a.ts'] }), block);
  });

  it('packs again when something changed', () => {
    assert.equal(reusableBlock(undefined, { budget: 2_560, contentVersion: 7, mentionedFiles: [] }), undefined);
    assert.equal(reusableBlock(block, { budget: 2_560, contentVersion: 8, mentionedFiles: [] }), undefined);
    assert.equal(reusableBlock(block, { budget: 4_096, contentVersion: 7, mentionedFiles: [] }), undefined);
    assert.equal(reusableBlock(block, { budget: 2_560, contentVersion: 7, mentionedFiles: ['/ws/b.ts'] }), undefined);
  });

  it('keeps earlier mentions in focus for a new pack', () => {
    assert.deepEqual(focusFilesFor(block, ['/ws/b.ts', '/ws/a.ts']), ['/ws/b.ts', '/ws/a.ts']);
    assert.deepEqual(focusFilesFor(block, ['/ws/b.ts']), ['/ws/b.ts', '/ws/a.ts']);
    assert.deepEqual(focusFilesFor(undefined, []), []);
  });
});

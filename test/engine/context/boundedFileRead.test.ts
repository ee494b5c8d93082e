import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readBoundedFile, readBoundedFileSync } from '../../../src/engine/context/boundedFileRead';
import { TempDirs } from './contextFixtures';

const temp = new TempDirs();
after(() => temp.cleanup());

const readers = { async: readBoundedFile, sync: readBoundedFileSync };

describe('readBoundedFile', () => {
  for (const [name, read] of Object.entries(readers)) {
    it(`${name}: reads a file of exactly the limit, and finds one byte more too large`, async () => {
      const root = temp.tree({ 'eight.txt': '12345678', 'nine.txt': '123456789', 'empty.txt': '' });
      assert.deepEqual(await read(join(root, 'eight.txt'), 8), Buffer.from('12345678'));
      assert.equal(await read(join(root, 'nine.txt'), 8), 'tooLarge');
      assert.deepEqual(await read(join(root, 'empty.txt'), 8), Buffer.alloc(0));
      assert.equal(await read(join(root, 'missing.txt'), 8), 'unreadable');
      assert.equal(await read(root, 8), 'unreadable');
    });

    it(`${name}: finds a file far over the limit too large without reading it whole`, async () => {
      // Past 2 GiB, reading the whole file fails outright; sparse, it takes no disk.
      const root = temp.tree({ 'huge.bin': '' });
      truncateSync(join(root, 'huge.bin'), 3 * 1024 ** 3);
      assert.equal(await read(join(root, 'huge.bin'), 1024), 'tooLarge');
    });

    it(`${name}: does not wait on a named pipe or read a device`, { timeout: 20_000 }, async (t) => {
      if (process.platform === 'win32') return t.skip('no named pipes in the file system');
      const root = temp.make();
      execFileSync('mkfifo', [join(root, 'pipe')]);
      assert.equal(await read(join(root, 'pipe'), 1024), 'unreadable');
      assert.equal(await read('/dev/zero', 1024), 'unreadable');
    });
  }
});

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makePrivateFolder } from '../../../src/engine/base/privateFolder';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('makePrivateFolder', { skip: process.platform === 'win32' && 'no POSIX modes on Windows' }, () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-private-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates the folder and its missing parents as 0700', () => {
    makePrivateFolder(join(root, 'cache', 'hearth', 'context'));
    for (const path of ['cache', 'cache/hearth', 'cache/hearth/context'])
      assert.equal(modeOf(join(root, path)), 0o700, path);
  });

  it('leaves a folder that exists as it is, unless told to tighten it (group and other access go)', () => {
    const existing = join(root, 'existing');
    mkdirSync(existing);
    chmodSync(existing, 0o755);
    makePrivateFolder(existing);
    assert.equal(modeOf(existing), 0o755);
    makePrivateFolder(existing, { tighten: true });
    assert.equal(modeOf(existing), 0o700);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCacheDir } from '../../../src/engine/base/defaultCacheDir';

describe('defaultCacheDir', () => {
  it('follows each platform convention', () => {
    assert.equal(defaultCacheDir('linux', { XDG_CACHE_HOME: '/xdg' }, '/home/u'), '/xdg/hearth');
    assert.equal(defaultCacheDir('linux', {}, '/home/u'), '/home/u/.cache/hearth');
    assert.equal(defaultCacheDir('linux', { XDG_CACHE_HOME: 'relative' }, '/home/u'), '/home/u/.cache/hearth');
    assert.equal(defaultCacheDir('darwin', {}, '/Users/u'), '/Users/u/Library/Caches/hearth');
    assert.equal(
      defaultCacheDir('win32', { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'C:\\Users\\u'),
      'C:\\Users\\u\\AppData\\Local\\hearth\\cache',
    );
    assert.equal(defaultCacheDir('win32', {}, 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Local\\hearth\\cache');
  });
});

import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/** Hearth's cache folder: the platform's per-user cache location. */
export function defaultCacheDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string {
  switch (platform) {
    case 'win32':
      return win32.join(env.LOCALAPPDATA ?? win32.join(home, 'AppData', 'Local'), 'hearth', 'cache');
    case 'darwin':
      return posix.join(home, 'Library', 'Caches', 'hearth');
    default:
      // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
      return posix.join(
        env.XDG_CACHE_HOME?.startsWith('/') === true ? env.XDG_CACHE_HOME : posix.join(home, '.cache'),
        'hearth',
      );
  }
}

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The engine bundle `npm test` builds first; tests that spawn the real process use it. */
export function builtEnginePath(): string {
  const path = join(resolve(__dirname, '..', '..'), 'dist', 'engine.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first (npm test does).`);
  return path;
}

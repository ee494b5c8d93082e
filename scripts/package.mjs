// `npm run package`: a production build, a platform-specific .vsix (the engine's native runtime is per
// platform), then a check that the package holds and runs everything the engine needs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { vsceTarget } from './engineRuntime.mjs';

const require = createRequire(import.meta.url);
const out = process.argv[2] ?? 'hearth.vsix';
const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit' });

run(['esbuild.mjs', '--production']);
// README links to the repository's own documents (docs/…): they resolve against the repository's files.
const { repository } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const baseContentUrl = `${repository.url.replace(/\.git$/, '')}/blob/main/`;
run([
  require.resolve('@vscode/vsce/vsce'),
  'package',
  '--no-dependencies',
  '--target',
  vsceTarget(),
  '--baseContentUrl',
  baseContentUrl,
  '--out',
  out,
]);
run(['--import', 'tsx', 'scripts/checkVsix.ts', out]);

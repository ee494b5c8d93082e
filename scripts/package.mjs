// `npm run package`: a production build, a platform-specific .vsix (the engine's native runtime is per
// platform), then a check that the package holds and runs everything the engine needs.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { vsceTarget } from './engineRuntime.mjs';

const require = createRequire(import.meta.url);
const out = process.argv[2] ?? 'hearth.vsix';
const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit' });

run(['esbuild.mjs', '--production']);
run([require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--target', vsceTarget(), '--out', out]);
run(['--import', 'tsx', 'scripts/checkVsix.ts', out]);

// Runs every test file under test/ with node's test runner (TypeScript through tsx) and prints its summary.
//   node test/runTests.mjs            all tests, the real-VS Code ones included
//   node test/runTests.mjs --unit     everything but test/vscode (no code-server / Chromium needed)
//   node test/runTests.mjs FILTER...  only files whose path contains one of the filters
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.test.ts')) yield relative(root, path);
  }
}

const files = [...walk(join(root, 'test'))]
  .filter((f) => !(unitOnly && f.startsWith(join('test', 'vscode'))))
  .filter((f) => filters.length === 0 || filters.some((filter) => f.includes(filter)))
  .sort();

// The real-VS Code tests need code-server installed offline (idempotent; about a minute the first time).
if (files.some((f) => f.startsWith(join('test', 'vscode')))) {
  try {
    const { setup } = await import('./vscode-host/setup.mjs');
    setup();
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    console.error(`Could not set up code-server (${error.message}); the real-VS Code tests will be skipped.`);
  }
}

if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);

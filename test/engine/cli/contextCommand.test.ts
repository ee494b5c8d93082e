import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, runCliIntoFile, runCliIntoPipe } from '../../helpers/builtCli';

describe('hearth context (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-context-cli-'));
  const root = join(dir, 'repo');
  const cacheDir = join(dir, 'cache');
  before(() => {
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(
      join(root, 'src', 'store.ts'),
      'export class Store {\n  get(key: string): string | undefined {\n    return undefined;\n  }\n}\n',
    );
    writeFileSync(
      join(root, 'src', 'app.ts'),
      "import { Store } from './store';\nexport function main(): void {\n  new Store().get('x');\n}\n",
    );
    writeFileSync(join(root, '.gitignore'), 'build/\n');
    mkdirSync(join(root, 'build'));
    writeFileSync(join(root, 'build', 'out.js'), 'ignored();\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('packs the repository within the budget and reports the stats as JSON', () => {
    const run = runCli([
      'context',
      '--root',
      root,
      '--budget',
      '2048',
      '--focus',
      join(root, 'src', 'app.ts'),
      '--cache-dir',
      cacheDir,
      '--json',
    ]);
    assert.equal(run.status, 0, run.stderr);
    const { index, pack } = JSON.parse(run.stdout) as {
      index: { files: number };
      pack: { filesWhole: number; filesOutlined: number; filesListed: number; tokens: number; budget: number };
    };
    assert.equal(index.files, 3); // src/app.ts, src/store.ts, .gitignore; build/ is ignored
    assert.equal(pack.filesWhole, 3);
    assert.equal(pack.budget, 2048);
    assert.ok(pack.tokens > 0 && pack.tokens <= 2048, `tokens ${pack.tokens}`);
  });

  it('prints the block in the Qwen repository format with --print', () => {
    const run = runCli(['context', '--root', root, '--budget', '2048', '--cache-dir', cacheDir, '--print']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^<\|repo_name\|>repo\n/);
    assert.match(run.stdout, /<\|file_sep\|>src\/store\.ts\nexport class Store \{/);
    assert.doesNotMatch(run.stdout, /ignored\(\)/);
  });

  it('writes all of a large output through a pipe, byte for byte', async () => {
    // Enough source for a block past a pipe's 64 KiB buffer.
    const big = join(dir, 'big');
    mkdirSync(big);
    for (let i = 0; i < 40; i++) {
      const lines = Array.from({ length: 100 }, (_, j) => `export const value${i}x${j} = ${j};\n`);
      writeFileSync(join(big, `module${i}.ts`), lines.join(''));
    }
    const args = ['context', '--root', big, '--budget', '262144', '--cache-dir', cacheDir, '--print'];
    const file = join(dir, 'printed.txt');
    assert.equal(runCliIntoFile(args, file), 0);
    const expected = readFileSync(file, 'utf8');
    assert.ok(expected.length > 65_536, `${expected.length} bytes`);
    const piped = await runCliIntoPipe(args, dir);
    assert.equal(piped.status, 0);
    // The last line says how long packing took: the same but for its digits.
    const timeless = (text: string) => text.replace(/packed in \d+ ms\n$/, 'packed in … ms\n');
    assert.equal(timeless(piped.stdout.toString('utf8')), timeless(expected));
  });

  it('resolves a relative --root against the working directory', () => {
    const run = runCli(['context', '--root', 'repo', '--budget', '2048', '--cache-dir', cacheDir, '--print'], dir);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^<\|repo_name\|>repo\n/);
  });

  it('rejects a budget outside 256…262,144 tokens with a clear error', () => {
    const run = runCli(['context', '--root', root, '--budget', '100', '--cache-dir', cacheDir]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^hearth context: .*budget/i);
  });

  it('rejects a question share outside 0…0.9 as a usage error', () => {
    const args = ['context', '--root', root, '--budget', '2048', '--cache-dir', cacheDir, '--question-share'];
    const run = runCli([...args, '1']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--question-share must be a number from 0 to 0\.9, not "1"\./);
    assert.equal(runCli([...args, '0.1', '--json']).status, 0);
  });
});

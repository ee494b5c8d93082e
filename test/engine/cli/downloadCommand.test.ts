import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { FAKE_COMMIT, FakeHub, syntheticHubFiles, type FakeHubFile } from '../library/fakeHub';

const REPO = 'Qwen/Qwen3-Tiny-FP8';

interface AsyncCliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI without blocking this process (runCli's spawnSync would stall the local Hub it talks
 * to). `interrupt` sends SIGINT, as Ctrl-C does, once it returns true.
 */
function runCliAsync(args: string[], env: NodeJS.ProcessEnv, interrupt?: () => boolean): Promise<AsyncCliRun> {
  const cli = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does).`);
  const child = spawn(process.execPath, [cli, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const watcher = (async () => {
    while (interrupt !== undefined && child.exitCode === null && !interrupt()) await sleep(5);
    if (interrupt !== undefined) child.kill('SIGINT');
  })();
  return new Promise((done) =>
    child.on('close', (status) => {
      void watcher.then(() => done({ status, stdout, stderr }));
    }),
  );
}

describe('hearth download (built CLI, local Hub)', () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-cli-download-'));
  let files: FakeHubFile[];
  let hub: FakeHub;
  const env = () => ({ ...process.env, HF_ENDPOINT: hub.endpoint, HF_TOKEN: '' });

  before(async () => {
    files = await syntheticHubFiles(join(root, 'source'));
  });
  afterEach(() => hub?.close());
  after(() => rmSync(root, { recursive: true, force: true }));

  it('downloads into --dir, shows progress on stderr and prints the result as JSON', async () => {
    hub = await FakeHub.start({ repo: REPO, files });
    const dir = join(root, 'full');
    const run = await runCliAsync(['download', REPO, '--dir', dir], env());

    assert.equal(run.status, 0, run.stderr);
    const total = files.reduce((sum, f) => sum + f.bytes.length, 0);
    assert.deepEqual(JSON.parse(run.stdout), {
      dir,
      repo: REPO,
      revision: 'main',
      commit: FAKE_COMMIT,
      totalBytes: total,
      receivedBytes: total,
      alreadyComplete: false,
      files: files.length,
    });
    for (const file of files) assert.deepEqual(readFileSync(join(dir, file.path)), file.bytes);
    // Not a terminal: a line per 10%, each with bytes, speed and files.
    assert.match(run.stderr, /^Qwen\/Qwen3-Tiny-FP8: +0% {2}0 KiB \/ 12\.\d MiB {2}0 KiB\/s {2}0\/\d+ files$/m);
    assert.match(
      run.stderr,
      /^Qwen\/Qwen3-Tiny-FP8: 100% {2}12\.\d MiB \/ 12\.\d MiB {2}[\d.]+ [KMG]i?B\/s {2}~0 s left {2}\d+\/\d+ files$/m,
    );
    assert.match(
      run.stderr,
      new RegExp(`^Qwen/Qwen3-Tiny-FP8: 12\\.\\d MiB downloaded and verified into ${dir}$`, 'm'),
    );
  });

  it('leaves a resumable download on Ctrl-C, and the same command finishes it', async () => {
    hub = await FakeHub.start({ repo: REPO, files });
    const dir = join(root, 'interrupted');
    const held = 3_000_000;
    hub.holdAfter('tokenizer.json', held);
    const part = join(dir, '.hearth-download', 'tokenizer.json.part');
    const interrupted = await runCliAsync(
      ['download', REPO, '--dir', dir],
      env(),
      () => existsSync(part) && statSync(part).size === held,
    );

    assert.equal(interrupted.status, 130, interrupted.stderr);
    assert.match(
      interrupted.stderr,
      /stopped; the partial download in .*\.hearth-download resumes when you run the same command again/,
    );
    assert.match(interrupted.stderr, /^hearth download: cancelled$/m);
    assert.equal(existsSync(join(dir, 'config.json')), false);

    const resumed = await runCliAsync(['download', REPO, '--dir', dir], env());
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(hub.rangeStarts.get('tokenizer.json'), [0, held]);
    for (const file of files) assert.deepEqual(readFileSync(join(dir, file.path)), file.bytes);
  });

  it('explains a refused download, and asks for a repository when given none', async () => {
    hub = await FakeHub.start({ repo: REPO, files, token: 'hf_secret' });
    const refused = await runCliAsync(['download', REPO, '--dir', join(root, 'refused')], env());
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^hearth download: Qwen\/Qwen3-Tiny-FP8 is gated: Hugging Face refused access/m);
    assert.match(
      refused.stderr,
      /create an access token with read permission at http:\/\/127\.0\.0\.1:\d+\/settings\/tokens and set HF_TOKEN to it\.$/m,
    );

    const missing = await runCliAsync(['download'], env());
    assert.equal(missing.status, 2);
    assert.match(
      missing.stderr,
      /give one repository, for example:\n {2}Qwen\/Qwen3-4B-Instruct-2507-FP8 +Qwen3 4B Instruct/,
    );
    assert.match(missing.stderr, /usage: hearth download REPO \[--revision R\] \[--dir DIR\]/);
  });
});

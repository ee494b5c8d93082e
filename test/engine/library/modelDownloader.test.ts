import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { DownloadError } from '../../../src/engine/library/downloadError';
import {
  assertNotPartialDownload,
  downloadStatus,
  readDownloadMarker,
  readPendingDownload,
} from '../../../src/engine/library/downloadMarker';
import type { DownloadProgress } from '../../../src/engine/library/downloadProgress';
import { HuggingFaceClient } from '../../../src/engine/library/huggingFaceClient';
import { downloadModel, type DownloadModelOptions } from '../../../src/engine/library/modelDownloader';
import { openPartFile } from '../../../src/engine/library/partFile';
import { FAKE_COMMIT, FakeHub, sha256Of, syntheticHubFiles, type FakeHubFile, type FakeHubOptions } from './fakeHub';

const REPO = 'Qwen/Qwen3-Tiny-FP8';

describe('downloadModel against a local Hub', () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-download-'));
  let files: FakeHubFile[];
  let hub: FakeHub | undefined;
  let dirs = 0;

  before(async () => {
    files = await syntheticHubFiles(join(root, 'source'));
  });
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  async function startHub(options: Partial<FakeHubOptions> = {}): Promise<FakeHub> {
    hub = await FakeHub.start({ repo: REPO, files, pageSize: 4, ...options });
    return hub;
  }

  function download(dir: string, options: Partial<DownloadModelOptions> & { token?: string } = {}) {
    const { token, ...rest } = options;
    return downloadModel({
      repo: REPO,
      dir,
      client: new HuggingFaceClient({ endpoint: hub!.endpoint, token }),
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      ...rest,
    });
  }

  function freshDir(): string {
    return join(root, `model-${++dirs}`);
  }

  const largestWeights = () =>
    files.filter((f) => f.path.endsWith('.safetensors')).sort((a, b) => b.bytes.length - a.bytes.length)[0];
  const tokenizer = () => files.find((f) => f.path === 'tokenizer.json')!;

  function assertComplete(dir: string): void {
    for (const file of files) assert.deepEqual(readFileSync(join(dir, file.path)), file.bytes, `${file.path} differs`);
    assert.equal(readDownloadMarker(dir)?.commit, FAKE_COMMIT);
    assert.equal(downloadStatus(dir), 'complete');
    assert.equal(existsSync(join(dir, '.hearth-download')), false);
  }

  /** Nothing that is not the listed file sits at a final path, and the folder is not taken for a model. */
  function assertNothingHalfWritten(dir: string): void {
    for (const file of files) {
      const path = join(dir, file.path);
      if (existsSync(path)) assert.deepEqual(readFileSync(path), file.bytes, `${file.path} is in place but not whole`);
    }
    assert.equal(existsSync(join(dir, 'config.json')), false);
    assert.equal(downloadStatus(dir), 'incomplete');
  }

  it('downloads every file byte for byte, LFS files through the CDN, and marks the folder complete last', async () => {
    await startHub();
    const dir = freshDir();
    const reports: DownloadProgress[] = [];
    const result = await download(dir, { onProgress: (p) => reports.push(p), progressIntervalMs: 0 });

    assertComplete(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'a folder it creates is private, like the rest of the cache');
    const total = files.reduce((sum, f) => sum + f.bytes.length, 0);
    assert.deepEqual(
      { commit: result.commit, totalBytes: result.totalBytes, receivedBytes: result.receivedBytes },
      { commit: FAKE_COMMIT, totalBytes: total, receivedBytes: total },
    );
    assert.deepEqual(reports.at(-1), {
      ...reports.at(-1)!,
      bytesDone: total,
      bytesTotal: total,
      filesDone: files.length,
      filesTotal: files.length,
      activeFiles: [],
    });
    assert.ok(reports.every((p, i) => i === 0 || p.bytesDone >= reports[i - 1].bytesDone));
    const cdnPaths = hub!.requests
      .filter((r) => r.server === 'cdn')
      .map((r) => new URL(r.url, 'http://x').searchParams.get('path'))
      .sort();
    assert.deepEqual(
      cdnPaths,
      files
        .filter((f) => f.lfs)
        .map((f) => f.path)
        .sort(),
    );

    const again = await download(dir);
    assert.equal(again.alreadyComplete, true);
    assert.equal(
      hub!.requests.filter((r) => r.url.includes('/resolve/')).length,
      files.length,
      'the second run fetched nothing',
    );
  });

  it('resumes a dropped connection from where it dropped, without fetching those bytes again', async () => {
    await startHub();
    const dir = freshDir();
    const weights = largestWeights();
    hub!.dropAfter(weights.path, 300_000);
    await download(dir);

    assertComplete(dir);
    // The resume starts where the part ended: at 300,000, less what the broken stream had not yet handed over.
    const [first, resumedAt] = hub!.rangeStarts.get(weights.path)!;
    assert.equal(first, 0);
    assert.ok(resumedAt > 200_000 && resumedAt <= 300_000, `resumed at ${resumedAt}`);
    assert.equal(hub!.bytesServed.get(weights.path), 300_000 + weights.bytes.length - resumedAt);
  });

  it('cancels leaving a resumable part, and the next run continues it after the bytes already on disk', async () => {
    await startHub();
    const dir = freshDir();
    const held = 2_000_000;
    hub!.holdAfter('tokenizer.json', held);
    const part = join(dir, '.hearth-download', 'tokenizer.json.part');
    const abort = new AbortController();
    const onProgress = () => {
      if (existsSync(part) && statSync(part).size === held) abort.abort();
    };
    await assert.rejects(download(dir, { onProgress, progressIntervalMs: 0, signal: abort.signal }), {
      name: 'AbortError',
    });

    assert.equal(statSync(part).size, held);
    assert.ok(existsSync(`${part}.json`), 'the sidecar says what the part is');
    assertNothingHalfWritten(dir);
    assert.deepEqual(readPendingDownload(dir), { repo: REPO, revision: 'main' });
    assert.throws(() => assertNotPartialDownload(dir), {
      message: `${dir}: is an unfinished download`,
      hint: `Run the download again (hearth download ${REPO} --revision main --dir "${dir}"): it resumes where it stopped.`,
    });

    await download(dir);
    assertComplete(dir);
    assert.deepEqual(hub!.rangeStarts.get('tokenizer.json'), [0, held]);
    assert.equal(hub!.bytesServed.get('tokenizer.json'), tokenizer().bytes.length);
  });

  it('finishes a part that already holds the whole file (the server answers 416 at its end), by its hash', async () => {
    await startHub();
    const dir = freshDir();
    const size = tokenizer().bytes.length;
    // Cancel lands after the last byte arrived (progress reports it as it is written), before the rename.
    const part = join(dir, '.hearth-download', 'tokenizer.json.part');
    const abort = new AbortController();
    const onProgress = () => {
      if (existsSync(part) && statSync(part).size === size) abort.abort();
    };
    await assert.rejects(download(dir, { onProgress, progressIntervalMs: 0, signal: abort.signal }), {
      name: 'AbortError',
    });
    assert.equal(statSync(part).size, size);

    await download(dir);
    assertComplete(dir);
    assert.deepEqual(hub!.rangeStarts.get('tokenizer.json'), [0, size]);
    assert.equal(hub!.bytesServed.get('tokenizer.json'), size, 'nothing of it was fetched again');
  });

  it('fetches again a part of the whole length whose bytes are wrong (416, then a hash mismatch)', async () => {
    await startHub();
    const dir = freshDir();
    const weights = largestWeights();
    const staging = join(dir, '.hearth-download');
    mkdirSync(staging, { recursive: true });
    const damaged = Buffer.from(weights.bytes);
    damaged[1000] ^= 0xff;
    writeFileSync(join(staging, `${weights.path}.part`), damaged);
    const sha256 = sha256Of(weights.bytes);
    writeFileSync(
      join(staging, `${weights.path}.part.json`),
      JSON.stringify({ size: weights.bytes.length, sha256, etag: sha256 }),
    );
    await download(dir);

    assertComplete(dir);
    assert.deepEqual(hub!.rangeStarts.get(weights.path), [weights.bytes.length, 0]);
    assert.equal(hub!.bytesServed.get(weights.path), weights.bytes.length);
  });

  it('drops a connection that stalls and resumes it on a new one', async () => {
    await startHub();
    const dir = freshDir();
    hub!.holdAfter('tokenizer.json', 1_000_000);
    await download(dir, { stallTimeoutMs: 300 });

    assertComplete(dir);
    assert.deepEqual(hub!.rangeStarts.get('tokenizer.json'), [0, 1_000_000]);
  });

  it('retries the Hub when it is busy (503, 429), and gives up with a clear message when it stays so', async () => {
    await startHub();
    const dir = freshDir();
    hub!.failNext(503, 3); // the revision call, then the retries
    await download(dir);
    assertComplete(dir);

    hub!.failNext(429, 100);
    const error = await download(freshDir(), { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }).catch(
      (e: unknown) => e,
    );
    assert.ok(error instanceof DownloadError);
    assert.equal(error.failure, 'network');
    assert.match(error.message, /^http:\/\/127\.0\.0\.1:\d+ answered HTTP 429 for Qwen\/Qwen3-Tiny-FP8\.$/);
    assert.equal(error.hint, 'The Hub is busy or down: try again in a few minutes.');
  });

  it('restarts a part whose etag no longer matches instead of appending to it', async () => {
    await startHub();
    const dir = freshDir();
    const weights = largestWeights();
    const staging = join(dir, '.hearth-download');
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, `${weights.path}.part`), weights.bytes.subarray(0, 100_000));
    const { sha256 } = (await new HuggingFaceClient({ endpoint: hub!.endpoint }).snapshot(REPO, 'main')).files.find(
      (f) => f.path === weights.path,
    )!;
    writeFileSync(
      join(staging, `${weights.path}.part.json`),
      JSON.stringify({ size: weights.bytes.length, sha256, etag: 'an-older-version' }),
    );
    await download(dir);

    assertComplete(dir);
    assert.deepEqual(hub!.rangeStarts.get(weights.path), [100_000, 0]);
  });

  it('rejects a corrupted file by its sha256 and fetches it again', async () => {
    await startHub();
    const dir = freshDir();
    const weights = largestWeights();
    hub!.corrupt(weights.path, 1);
    await download(dir);

    assertComplete(dir);
    assert.deepEqual(hub!.rangeStarts.get(weights.path), [0, 0]);
  });

  it('gives up on a file that arrives corrupted again, and places nothing of it', async () => {
    await startHub();
    const dir = freshDir();
    const weights = largestWeights();
    hub!.corrupt(weights.path, 2);
    const error = await download(dir).catch((e: unknown) => e);

    assert.ok(error instanceof DownloadError);
    assert.equal(error.failure, 'integrity');
    assert.match(
      error.message,
      new RegExp(
        `${weights.path} of ${REPO} does not match the Hub's listing \\(SHA-256 [0-9a-f]{64} instead of [0-9a-f]{64}\\), 2 times in a row`,
      ),
    );
    assert.equal(existsSync(join(dir, weights.path)), false);
    assertNothingHalfWritten(dir);
  });

  it('keeps a complete older revision usable until the new one is whole, fetching only what changed', async () => {
    await startHub();
    const dir = freshDir();
    await download(dir);
    // Pretend the folder holds an older commit whose notes differ.
    const marker = readDownloadMarker(dir)!;
    writeFileSync(join(dir, '.hearth-complete'), JSON.stringify({ ...marker, commit: 'a'.repeat(40) }));
    writeFileSync(join(dir, 'docs/NOTES.md'), 'Older notes, of another length.\n');
    const served = hub!.bytesServed.get('docs/NOTES.md');
    hub!.corrupt('docs/NOTES.md', 2);

    await assert.rejects(
      download(dir),
      (error: unknown) => error instanceof DownloadError && error.failure === 'integrity',
    );
    assert.equal(readDownloadMarker(dir)?.commit, 'a'.repeat(40), 'the old revision is still marked complete');
    assert.equal(readFileSync(join(dir, 'docs/NOTES.md'), 'utf8'), 'Older notes, of another length.\n');
    assert.ok(existsSync(join(dir, 'config.json')));

    const resolvesBefore = hub!.requests.filter((r) => r.url.includes('/resolve/')).length;
    await download(dir);
    assertComplete(dir);
    assert.equal(
      hub!.requests.filter((r) => r.url.includes('/resolve/')).length - resolvesBefore,
      1,
      'only the changed file was fetched',
    );
    assert.equal(
      hub!.bytesServed.get('docs/NOTES.md'),
      (served ?? 0) + 3 * files.find((f) => f.path === 'docs/NOTES.md')!.bytes.length,
    );
  });

  it('refuses a second download into a folder another process is downloading into', async () => {
    await startHub();
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.hearth-download.lock'), String(process.ppid));
    const error = await download(dir).catch((e: unknown) => e);
    assert.ok(error instanceof DownloadError);
    assert.equal(error.failure, 'busy');
    assert.equal(error.message, `Another download into ${dir} is running (process ${process.ppid}).`);

    writeFileSync(join(dir, '.hearth-download.lock'), '999999999'); // left by a download that died
    await download(dir);
    assertComplete(dir);
    assert.equal(existsSync(join(dir, '.hearth-download.lock')), false);
  });

  const treeUrl = (query = '') => `${hub!.endpoint}/api/models/${REPO}/tree/${FAKE_COMMIT}?recursive=true${query}`;

  it(
    'stops a listing whose pages link back to themselves, saying the list is broken',
    { timeout: 20_000 },
    async () => {
      await startHub();
      hub!.endlessPages('self');
      const error = await download(freshDir()).catch((e: unknown) => e);

      assert.ok(error instanceof DownloadError);
      assert.equal(error.failure, 'protocol');
      assert.equal(
        error.message,
        `${hub!.endpoint} gave a broken file list for ${REPO}: its pages do not end (${treeUrl()}).`,
      );
      assert.equal(error.hint, 'Try again later; if HF_ENDPOINT names a mirror, try without it.');
      assert.equal(hub!.requests.filter((r) => r.url.includes('/tree/')).length, 1);
    },
  );

  it('stops a listing after 1,000 pages when each links to a new one', { timeout: 60_000 }, async () => {
    await startHub();
    hub!.endlessPages('new');
    const error = await download(freshDir()).catch((e: unknown) => e);

    assert.ok(error instanceof DownloadError);
    assert.equal(
      error.message,
      `${hub!.endpoint} gave a broken file list for ${REPO}: its pages do not end (${treeUrl('&cursor=1000')}).`,
    );
    assert.equal(hub!.requests.filter((r) => r.url.includes('/tree/')).length, 1_000);
  });

  it('fetches a path listed twice alike once, and refuses one listed twice with different contents', async () => {
    const notes = files.find((f) => f.path === 'docs/NOTES.md')!;
    await startHub({ files: [...files, notes] });
    const dir = freshDir();
    await download(dir);
    assertComplete(dir);
    assert.equal(hub!.requests.filter((r) => r.url.endsWith('/docs/NOTES.md')).length, 1);
    await hub!.close();

    await startHub({ files: [...files, { ...notes, bytes: Buffer.from('Other notes.\n') }] });
    const error = await download(freshDir()).catch((e: unknown) => e);
    assert.ok(error instanceof DownloadError);
    assert.equal(error.failure, 'protocol');
    assert.equal(
      error.message,
      `${hub!.endpoint} gave a broken file list for ${REPO}: it names docs/NOTES.md twice, with different contents.`,
    );
  });

  it('explains a 401 without a token: accept the conditions and set HF_TOKEN', async () => {
    await startHub({ token: 'hf_test' });
    const error = await download(freshDir()).catch((e: unknown) => e);

    assert.ok(error instanceof DownloadError);
    assert.equal(error.failure, 'unauthorized');
    assert.match(
      error.message,
      /Qwen\/Qwen3-Tiny-FP8 is gated: Hugging Face refused access \(Access to model Qwen\/Qwen3-Tiny-FP8 is restricted\.\)/,
    );
    assert.match(
      error.hint ?? '',
      /accept the model's conditions on http:\/\/127\.0\.0\.1:\d+\/Qwen\/Qwen3-Tiny-FP8.*set HF_TOKEN/i,
    );
  });

  it('sends the token to the Hub and never to the CDN it redirects to', async () => {
    await startHub({ token: 'hf_test' });
    const dir = freshDir();
    await download(dir, { token: 'hf_test' });

    assertComplete(dir);
    const byServer = (server: 'hub' | 'cdn') => hub!.requests.filter((r) => r.server === server);
    assert.ok(byServer('cdn').length > 0);
    assert.deepEqual(new Set(byServer('hub').map((r) => r.authorization)), new Set(['Bearer hf_test']));
    assert.deepEqual(new Set(byServer('cdn').map((r) => r.authorization)), new Set([undefined]));
  });

  it('names a missing repository and a missing revision', async () => {
    await startHub();
    const missingRepo = await downloadModel({
      repo: 'Qwen/Nope',
      dir: freshDir(),
      client: new HuggingFaceClient({ endpoint: hub!.endpoint }),
    }).catch((e: unknown) => e);
    assert.ok(missingRepo instanceof DownloadError);
    assert.equal(missingRepo.failure, 'unauthorized');
    assert.match(
      missingRepo.message,
      /refused access to Qwen\/Nope without a token \(HTTP 401\): it is private, gated, or does not exist/,
    );

    const missingRevision = await download(freshDir(), { revision: 'v9' }).catch((e: unknown) => e);
    assert.ok(missingRevision instanceof DownloadError);
    assert.equal(missingRevision.failure, 'notFound');
    assert.equal(missingRevision.message, 'Revision "v9" of Qwen/Qwen3-Tiny-FP8 was not found.');
  });

  it('refuses to start when the disk is short, saying how much is needed and free', async () => {
    await startHub();
    const dir = freshDir();
    const error = await download(dir, { freeDiskBytes: () => Promise.resolve(50e6) }).catch((e: unknown) => e);

    const total = files.reduce((sum, f) => sum + f.bytes.length, 0);
    assert.ok(error instanceof DownloadError);
    assert.equal(error.failure, 'diskFull');
    assert.equal(
      error.message,
      `Not enough disk space for ${REPO} in ${dir}: it needs ${(total / 1e6).toFixed(1)} MB more, and 50.0 MB is free.`,
    );
    assert.equal(
      error.hint,
      `Free at least ${((total + 100e6 - 50e6) / 1e6).toFixed(1)} MB on that disk, or download to a folder on another disk.`,
    );
    assert.equal(hub!.requests.filter((r) => r.url.includes('/resolve/')).length, 0);
  });

  it('stops cleanly when the disk fills while writing (injected ENOSPC), then resumes once there is space', async () => {
    await startHub();
    const dir = freshDir();
    let written = 0;
    const fillsAt = 5_000_000;
    const openPartWriter: DownloadModelOptions['openPartWriter'] = async (path, append) => {
      const writer = await openPartFile(path, append);
      return {
        write: async (chunk) => {
          if (written + chunk.length > fillsAt)
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          written += chunk.length;
          await writer.write(chunk);
        },
        close: () => writer.close(),
      };
    };
    const error = await download(dir, { openPartWriter }).catch((e: unknown) => e);

    assert.ok(error instanceof DownloadError);
    assert.equal(error.failure, 'diskFull');
    assert.match(error.message, /^The disk holding .* is full: .* could not be written\.$/);
    assert.match(error.hint ?? '', /Free some space and run the download again: it resumes where it stopped/);
    assertNothingHalfWritten(dir);

    await download(dir);
    assertComplete(dir);
  });

  it('stops cleanly on a real full file system (a 4 MB tmpfs; needs root, skipped otherwise)', async (t) => {
    const mountPoint = join(root, 'tmpfs');
    mkdirSync(mountPoint);
    if (!mountTmpfs(mountPoint, '4m')) {
      t.skip('cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)');
      return;
    }
    try {
      await startHub();
      const dir = join(mountPoint, 'model');
      const error = await download(dir, { freeDiskBytes: () => Promise.resolve(1e12), concurrency: 1 }).catch(
        (e: unknown) => e,
      );

      assert.ok(error instanceof DownloadError, String(error));
      assert.equal(error.failure, 'diskFull');
      assertNothingHalfWritten(dir);
    } finally {
      unmount(mountPoint);
    }
  });
});

function mountTmpfs(path: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path]).status === 0;
}

function unmount(path: string): void {
  spawnSync('umount', [path]);
}

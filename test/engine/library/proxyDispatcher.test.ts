import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { DownloadError } from '../../../src/engine/library/downloadError';
import { HuggingFaceClient } from '../../../src/engine/library/huggingFaceClient';
import { downloadModel } from '../../../src/engine/library/modelDownloader';
import { proxyDispatcher } from '../../../src/engine/library/proxyDispatcher';
import { CountingProxy } from './countingProxy';
import { FakeHub, syntheticHubFiles, type FakeHubFile } from './fakeHub';
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from './selfSignedCert';

const REPO = 'Qwen/Qwen3-Tiny-FP8';

describe('Hub requests through a proxy from the environment', () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-proxy-'));
  let files: FakeHubFile[];
  let hub: FakeHub | undefined;
  let proxy: CountingProxy | undefined;
  let dirs = 0;

  before(async () => {
    files = await syntheticHubFiles(join(root, 'source'));
  });
  afterEach(async () => {
    await hub?.close();
    await proxy?.close();
    hub = proxy = undefined;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  async function downloadWith(env: (proxyUrl: string) => NodeJS.ProcessEnv): Promise<void> {
    hub = await FakeHub.start({ repo: REPO, files, pageSize: 4 });
    proxy = await CountingProxy.start();
    const dir = join(root, `model-${++dirs}`);
    const client = HuggingFaceClient.fromEnvironment({ HF_ENDPOINT: hub.endpoint, ...env(proxy.url) });
    await downloadModel({ repo: REPO, dir, client, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    for (const file of files) assert.deepEqual(readFileSync(join(dir, file.path)), file.bytes, file.path);
  }

  it('sends the Hub and CDN connections through HTTP_PROXY', async () => {
    await downloadWith((url) => ({ HTTP_PROXY: url }));
    assert.deepEqual(proxy!.targets, [new URL(hub!.endpoint).host, new URL(hub!.cdnEndpoint).host].sort());
  });

  it('takes the lower-case http_proxy too, and goes direct to hosts in NO_PROXY', async () => {
    await downloadWith((url) => ({ http_proxy: url, NO_PROXY: 'localhost,127.0.0.1' }));
    assert.deepEqual(proxy!.seen, []);
  });

  it('verifies the Hub’s certificate through the proxy, unless HEARTH_PROXY_STRICT_SSL=false', async () => {
    const tlsHub = createServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (req, res) => {
      const body = req.url?.includes('/revision/') ? { sha: 'c0ffee00'.repeat(5) } : [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((done) => tlsHub.listen(0, '127.0.0.1', done));
    proxy = await CountingProxy.start();
    const endpoint = `https://127.0.0.1:${(tlsHub.address() as AddressInfo).port}`;
    const snapshot = (env: NodeJS.ProcessEnv) =>
      HuggingFaceClient.fromEnvironment({ HF_ENDPOINT: endpoint, HTTPS_PROXY: proxy!.url, ...env }).snapshot(
        REPO,
        'main',
      );
    try {
      await assert.rejects(snapshot({}), (error: unknown) => {
        assert.ok(error instanceof DownloadError);
        assert.equal(error.failure, 'network');
        assert.match(error.message, /^The connection to 127\.0\.0\.1:\d+ failed: self-signed certificate\.$/);
        return true;
      });
      assert.deepEqual((await snapshot({ HEARTH_PROXY_STRICT_SSL: 'false' })).files, []);
      assert.deepEqual(proxy.targets, [new URL(endpoint).host]);
    } finally {
      tlsHub.closeAllConnections();
      await new Promise((done) => tlsHub.close(done));
    }
  });

  it('names no proxy when the environment has none', () => {
    assert.equal(proxyDispatcher({ NO_PROXY: '*' }), undefined);
  });
});

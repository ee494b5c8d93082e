import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineProcess } from '../../src/extension/engineProcess';
import { proxyEnvironment } from '../../src/extension/proxyEnvironment';
import { sendEngineRequest } from '../../src/shared/engineRpc';
import { CountingProxy } from '../engine/library/countingProxy';
import { FakeHub, syntheticHubFiles, type FakeHubFile } from '../engine/library/fakeHub';
import { builtEnginePath } from '../helpers/builtEngine';

const REPO = 'Qwen/Qwen3-Tiny-FP8';

describe('the engine process with VS Code proxy settings (dist/engine.js)', () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-engine-proxy-'));
  let files: FakeHubFile[];
  before(async () => {
    files = await syntheticHubFiles(join(root, 'source'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('downloads through the proxy that http.proxy names', async () => {
    const hub = await FakeHub.start({ repo: REPO, files });
    const proxy = await CountingProxy.start();
    const { engine } = await EngineProcess.start({
      enginePath: builtEnginePath(),
      clientName: 'test',
      clientVersion: '1.2.3',
      logLevel: 'warn',
      env: {
        ...proxyEnvironment({ proxy: proxy.url, proxyStrictSSL: true, noProxy: [] }),
        HF_ENDPOINT: hub.endpoint,
        NO_PROXY: '',
      },
      log: () => undefined,
    });
    try {
      const dir = join(root, 'model');
      await sendEngineRequest(engine.connection, 'model/download', { repo: REPO, dir });
      for (const file of files) assert.deepEqual(readFileSync(join(dir, file.path)), file.bytes, file.path);
      assert.deepEqual(proxy.targets, [new URL(hub.endpoint).host, new URL(hub.cdnEndpoint).host].sort());
    } finally {
      await engine.stop();
      await hub.close();
      await proxy.close();
    }
  });
});

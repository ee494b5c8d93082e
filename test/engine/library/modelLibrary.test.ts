import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { ContextService } from '../../../src/engine/context/contextService';
import { downloadStatus } from '../../../src/engine/library/downloadMarker';
import { HuggingFaceClient } from '../../../src/engine/library/huggingFaceClient';
import { ModelLibrary } from '../../../src/engine/library/modelLibrary';
import { EngineServer } from '../../../src/engine/rpc/engineServer';
import { GenerationService } from '../../../src/engine/generation/generationService';
import { Logger } from '../../../src/engine/base/logger';
import { loadModel } from '../../../src/engine/model/modelLoader';
import { EngineError } from '../../../src/shared/engineError';
import { onEngineNotification, sendEngineRequest } from '../../../src/shared/engineRpc';
import {
  EngineErrorCode,
  PROTOCOL_VERSION,
  type MachineMemory,
  type ModelDownloadProgressParams,
} from '../../../src/shared/protocol';
import { connectedPair } from '../../helpers/engineConnection';
import { FAKE_COMMIT, FakeHub, syntheticHubFiles, type FakeHubFile } from './fakeHub';

const GIB = 1024 ** 3;
/** A catalogue model, served by the fake Hub as a tiny synthetic checkpoint. */
const REPO = 'Qwen/Qwen3-0.6B-FP8';

describe('model/catalogue, model/fit and model/download over JSON-RPC, against a local Hub', () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-library-'));
  const cacheDir = join(root, 'cache');
  const defaultDir = join(cacheDir, 'models', 'Qwen--Qwen3-0.6B-FP8');
  let files: FakeHubFile[];
  let hub: FakeHub;
  let pair: ReturnType<typeof connectedPair>;
  let generation: GenerationService;
  let memory: MachineMemory = { freeBytes: 16 * GIB, totalBytes: 16 * GIB };
  /** How often the generation service read the memory. */
  let memoryReads = 0;
  const progress: ModelDownloadProgressParams[] = [];
  let onProgress: ((event: ModelDownloadProgressParams) => void) | undefined;
  const totalBytes = () => files.reduce((sum, file) => sum + file.bytes.length, 0);
  const request = {
    catalogue: () => sendEngineRequest(pair.client, 'model/catalogue', {}),
    fit: (path: string) => sendEngineRequest(pair.client, 'model/fit', { path }),
  };

  before(async () => {
    files = await syntheticHubFiles(join(root, 'source'));
    hub = await FakeHub.start({ repo: REPO, files });
    pair = connectedPair();
    const logger = new Logger('warn', () => {});
    generation = new GenerationService({ logger, loadModel, memory: () => (memoryReads++, memory) });
    const library = new ModelLibrary({
      logger,
      hubClient: () => new HuggingFaceClient({ endpoint: hub.endpoint }),
      memory: () => memory,
      cacheDir,
      progressIntervalMs: 0,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    const context = new ContextService({ tokenCounter: () => generation.tokenCounter() });
    new EngineServer(pair.server, { version: '9.9.9', logger, generation, context, library, onShutdown: () => {} });
    onEngineNotification(pair.client, 'model/downloadProgress', (event) => {
      progress.push(event);
      onProgress?.(event);
    });
    pair.server.listen();
    pair.client.listen();
    await sendEngineRequest(pair.client, 'initialize', {
      clientName: 'test',
      clientVersion: '0.0.0',
      protocolVersion: PROTOCOL_VERSION,
    });
  });
  after(async () => {
    pair.dispose();
    await generation.dispose();
    await hub.close();
    rmSync(root, { recursive: true, force: true });
  });

  const failsWith = (code: number, message: string | RegExp, hint: string | RegExp) => (error: unknown) => {
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, code, error.message);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    if (typeof hint === 'string') assert.equal(error.hint, hint);
    else assert.match(error.hint ?? '', hint);
    return true;
  };

  it("lists the catalogue with each model's fit in this memory and where it would be downloaded", async () => {
    const { memory: seen, quantization, kvCache, models } = await request.catalogue();
    assert.deepEqual([seen, quantization, kvCache], [memory, 'int8', 'auto']);
    assert.deepEqual(
      models.map((m) => [
        m.repo,
        m.kind,
        m.isDefault,
        m.fit.kvCache,
        m.fit.verdict,
        m.fit.largestContext,
        m.fit.defaultContext,
        m.fit.bytesPerToken,
      ]),
      [
        // auto: the default contexts are above 4,096, so int8. (0.8 × 16 GiB − 4.5225e9 − 1 GiB) / 79,328 = 102,708
        ['Qwen/Qwen3-4B-Instruct-2507-FP8', 'instruct-2507', true, 'int8', 'fits', 102_708, 32_768, 79_328],
        ['Qwen/Qwen3-4B-Thinking-2507-FP8', 'thinking-2507', false, 'int8', 'fits', 102_708, 32_768, 79_328],
        ['Qwen/Qwen3-4B-FP8', 'hybrid', false, 'int8', 'fits', 102_708, 32_768, 79_328],
        // 192,922 would fit; the model reaches 40,960.
        ['Qwen/Qwen3-0.6B-FP8', 'hybrid', false, 'int8', 'fits', 40_960, 32_768, 62_176],
      ],
    );
    assert.equal(
      models[3].fit.message,
      'Fits: 644 MiB of weights and up to 40,960 tokens of context (8-bit KV cache) in 16.0 GiB free memory; default context 32,768 tokens.',
    );
    assert.deepEqual(models[3].download, { dir: defaultDir, state: 'absent' });
    assert.equal(models[2].yarnContext, 131_072);

    const float32 = await sendEngineRequest(pair.client, 'model/catalogue', { kvCache: 'float32' });
    assert.equal(float32.kvCache, 'float32');
    assert.deepEqual(
      float32.models.map((m) => [
        m.fit.kvCache,
        m.fit.verdict,
        m.fit.largestContext,
        m.fit.defaultContext,
        m.fit.bytesPerToken,
      ]),
      [
        // (0.8 × 16 GiB − 4.5225e9 − 1 GiB) / 303,104 bytes per token = 26,880
        ['float32', 'tight', 26_880, 16_384, 303_104],
        ['float32', 'tight', 26_880, 16_384, 303_104],
        ['float32', 'tight', 26_880, 16_384, 303_104],
        // 50,491 would fit; the model reaches 40,960.
        ['float32', 'fits', 40_960, 32_768, 237_568],
      ],
    );
    assert.equal(
      float32.models[3].fit.message,
      'Fits: 644 MiB of weights and up to 40,960 tokens of context in 16.0 GiB free memory; default context 32,768 tokens.',
    );
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/catalogue', { quantization: 'int2' as 'int4' }),
      failsWith(
        EngineErrorCode.InvalidParams,
        'Invalid model/catalogue params: quantization must be one of "int8", "int4", "fp32", not "int2".',
        /^Send \{ quantization/,
      ),
    );
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/catalogue', { kvCache: 'fp16' as 'int8' }),
      failsWith(
        EngineErrorCode.InvalidParams,
        'Invalid model/catalogue params: kvCache must be one of "auto", "float32", "int8", not "fp16".',
        'Send { quantization?: "int8" | "int4" | "fp32", kvCache?: "auto" | "float32" | "int8", cacheDir? }.',
      ),
    );
  });

  it('downloads into the default folder with progress notifications, then finds it complete', async () => {
    progress.length = 0;
    const result = await sendEngineRequest(pair.client, 'model/download', { repo: REPO });
    assert.deepEqual(
      { ...result, files: result.files.length },
      {
        repo: REPO,
        revision: 'main',
        dir: defaultDir,
        commit: FAKE_COMMIT,
        files: files.length,
        totalBytes: totalBytes(),
        receivedBytes: totalBytes(),
        alreadyComplete: false,
      },
    );
    assert.equal(downloadStatus(defaultDir), 'complete');
    assert.ok(progress.length >= 3, `${progress.length} notifications`);
    assert.ok(
      progress.every(
        (p) =>
          p.repo === REPO && p.dir === defaultDir && p.bytesTotal === totalBytes() && p.filesTotal === files.length,
      ),
    );
    assert.deepEqual([progress[0].bytesDone, progress[0].filesDone], [0, 0]);
    assert.deepEqual(
      [progress.at(-1)!.bytesDone, progress.at(-1)!.filesDone, progress.at(-1)!.etaSeconds],
      [totalBytes(), files.length, 0],
    );

    const again = await sendEngineRequest(pair.client, 'model/download', { repo: REPO });
    assert.deepEqual([again.alreadyComplete, again.receivedBytes], [true, 0]);
    assert.deepEqual((await request.catalogue()).models[3].download, { dir: defaultDir, state: 'complete' });
    const fit = await request.fit(defaultDir);
    assert.deepEqual(
      {
        path: fit.path,
        nativeContext: fit.nativeContext,
        source: fit.source,
        verdict: fit.fit.verdict,
        defaultContext: fit.fit.defaultContext,
        kvCache: fit.fit.kvCache,
      },
      {
        path: defaultDir,
        nativeContext: 40_960,
        source: { repo: REPO, commit: FAKE_COMMIT },
        verdict: 'fits',
        defaultContext: 32_768,
        kvCache: 'int8',
      },
    );
    // The synthetic checkpoint's geometry, per position: float32 2 layers × 2 KV heads × 2 × 64 × 4 = 2,048 bytes,
    // int8 2 × 2 × (2 × 64 + 3 × 4) = 560, each × 3/2 for the growth slack.
    for (const [kvCache, bytesPerToken] of [
      ['float32', 3_072],
      ['int8', 840],
    ] as const) {
      const asked = await sendEngineRequest(pair.client, 'model/fit', { path: defaultDir, kvCache });
      assert.deepEqual([asked.fit.kvCache, asked.fit.bytesPerToken], [kvCache, bytesPerToken]);
    }
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/fit', { path: defaultDir, kvCache: 'int4' as 'int8' }),
      failsWith(
        EngineErrorCode.InvalidParams,
        'Invalid model/fit params: kvCache must be one of "auto", "float32", "int8", not "int4".',
        /kvCache\?: "auto" \| "float32" \| "int8"/,
      ),
    );
  });

  it('loads a model with the context that fits when model/load names none, and 4,096 when none does', async () => {
    memory = { freeBytes: 32 * GIB, totalBytes: 64 * GIB };
    const params = { path: defaultDir, threads: 1, cacheDir: join(root, 'converted') };
    memoryReads = 0;
    const roomy = await sendEngineRequest(pair.client, 'model/load', params);
    assert.equal(memoryReads, 1, 'one reading of the memory plans the whole load');
    // auto sizes the default for the 8-bit cache and loads with it.
    assert.deepEqual(
      [roomy.model.contextLength, roomy.model.nativeContextLength, roomy.model.kvCache],
      [32_768, 40_960, 'int8'],
    );

    memory = { freeBytes: GIB, totalBytes: 2 * GIB };
    const { fit, plan } = await request.fit(defaultDir);
    // The plan model/load would use: the smallest useful context, the budget of this reading in whole bytes.
    assert.deepEqual(plan, {
      contextLength: 4096,
      kvCache: 'int8',
      kvBudgetBytes: Math.floor(0.8 * GIB - fit.weightBytes),
      memory,
    });
    const asked = await sendEngineRequest(pair.client, 'model/fit', { path: defaultDir, contextLength: 2048 });
    // Nothing is left beside the runtime's reserve, so auto takes the smaller cache even at 2,048.
    assert.deepEqual([asked.plan.contextLength, asked.plan.kvCache], [2048, 'int8']);
    assert.deepEqual(
      [fit.verdict, fit.largestContext, fit.defaultContext, fit.kvCache],
      ['does-not-fit', 0, 0, 'int8'],
    );
    assert.match(
      fit.message,
      /^Does not fit: .* of weights and a 4,096-token context \(8-bit KV cache\) need .* free memory; 1\.0 GiB is free\./,
    );
    // Loading anyway asks for the smallest useful context.
    const squeezed = await sendEngineRequest(pair.client, 'model/load', params);
    assert.deepEqual([squeezed.model.contextLength, squeezed.model.kvCache], [4096, 'int8']);
    // The load is checked against the memory its plan read, not the machine's read again.
    memory = { freeBytes: 4 * 1024 ** 2, totalBytes: 2 * GIB };
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/load', params),
      failsWith(EngineErrorCode.LoadContextTooLarge, /^A context of 4096 tokens needs 0\.00 GiB of KV cache/, /./),
    );
    memory = { freeBytes: 16 * GIB, totalBytes: 16 * GIB };
  });

  it("loads with model/fit's plan unchanged, without reading the memory again", async () => {
    memory = { freeBytes: 32 * GIB, totalBytes: 64 * GIB };
    const params = { path: defaultDir, threads: 1, cacheDir: join(root, 'converted'), contextLength: 2048 };
    const { plan } = await sendEngineRequest(pair.client, 'model/fit', { path: defaultDir, contextLength: 2048 });
    assert.deepEqual([plan.contextLength, plan.kvCache], [2048, 'float32']);
    memory = { freeBytes: 4 * 1024 ** 2, totalBytes: 2 * GIB };
    memoryReads = 0;
    const loaded = await sendEngineRequest(pair.client, 'model/load', { ...params, plan });
    assert.deepEqual([loaded.model.contextLength, loaded.model.kvCache, memoryReads], [2048, 'float32', 0]);
    // The plan's budget is the one checked: 2,048 float32 positions need more than 1 MiB.
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/load', { ...params, plan: { ...plan, kvBudgetBytes: 1024 ** 2 } }),
      failsWith(EngineErrorCode.LoadContextTooLarge, /^A context of 2048 tokens needs/, /./),
    );
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/load', { ...params, contextLength: 4096, plan }),
      failsWith(
        EngineErrorCode.InvalidParams,
        'Invalid model/load params: plan.contextLength 2048 is not the contextLength asked for (4096).',
        /^Send \{ path/,
      ),
    );
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/load', {
        ...params,
        plan: { ...plan, memory: { freeBytes: 1 } as MachineMemory },
      }),
      failsWith(EngineErrorCode.InvalidParams, 'Invalid model/load params: plan.memory.totalBytes is missing.', /./),
    );
    memory = { freeBytes: 16 * GIB, totalBytes: 16 * GIB };
  });

  it('keeps a resumable partial when cancelled, refuses to open it, and resumes it', async () => {
    const dir = join(root, 'cancelled');
    const held = 2_000_000;
    hub.holdAfter('tokenizer.json', held);
    const part = join(dir, '.hearth-download', 'tokenizer.json.part');
    const source = new CancellationTokenSource();
    let busy: Promise<unknown> | undefined;
    onProgress = () => {
      if (!existsSync(part) || statSync(part).size !== held) return;
      // A second download into the same folder while the first holds it.
      busy ??= sendEngineRequest(pair.client, 'model/download', { repo: REPO, dir }).catch((error: unknown) => error);
      void busy.then(() => source.cancel());
    };
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/download', { repo: REPO, dir }, source.token),
      failsWith(
        EngineErrorCode.Cancelled,
        `The download of ${REPO} was cancelled.`,
        /^The [\d.]+ MB fetched are kept in .*cancelled: download it again to resume\.$/,
      ),
    );
    onProgress = undefined;
    failsWith(
      EngineErrorCode.DownloadInProgress,
      /^Another download into .*cancelled is running \(process \d+\)\.$/,
      /^Wait for it to finish\./,
    )(await busy);
    assert.equal(statSync(part).size, held);

    const resumeHint = `Run the download again (hearth download ${REPO} --revision main --dir "${dir}"): it resumes where it stopped.`;
    await assert.rejects(
      request.fit(dir),
      failsWith(EngineErrorCode.CheckpointInvalid, `${dir}: is an unfinished download`, resumeHint),
    );
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/load', { path: dir }),
      failsWith(EngineErrorCode.CheckpointInvalid, `${dir}: is an unfinished download`, resumeHint),
    );

    const resumed = await sendEngineRequest(pair.client, 'model/download', { repo: REPO, dir });
    // Files verified before the cancellation are not fetched again, nor the part's bytes.
    assert.ok(resumed.receivedBytes <= totalBytes() - held, `${resumed.receivedBytes} bytes received`);
    assert.deepEqual(hub.rangeStarts.get('tokenizer.json')?.slice(-2), [0, held]);
    assert.equal(downloadStatus(dir), 'complete');
  });

  it('answers Hub refusals and bad repository ids with typed errors and their hints', async () => {
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/download', { repo: 'Qwen/Qwen3-Secret-FP8', dir: join(root, 'secret') }),
      failsWith(
        EngineErrorCode.Unauthorized,
        'Hugging Face refused access to Qwen/Qwen3-Secret-FP8 without a token (HTTP 401): it is private, gated, or does not exist.',
        /^Check the name on http:\/\/127\.0\.0\.1:\d+\/Qwen\/Qwen3-Secret-FP8\. If the model is gated or private, accept its conditions there and create an access token/,
      ),
    );
    await assert.rejects(
      sendEngineRequest(pair.client, 'model/download', { repo: '../etc' }),
      failsWith(
        EngineErrorCode.InvalidParams,
        '"../etc" is not a Hugging Face model id.',
        'Give it as organisation/name, for example Qwen/Qwen3-4B-Instruct-2507-FP8.',
      ),
    );
    await assert.rejects(
      request.fit(join(root, 'nowhere')),
      failsWith(
        EngineErrorCode.ModelNotFound,
        `${join(root, 'nowhere')}: is not a folder`,
        /^Choose the Hugging Face checkpoint folder/,
      ),
    );
  });
});

/**
 * The extension's chat path (the real ChatStream) over RemoteEngine: generation on a real `hearth serve` (built
 * CLI, tiny synthetic checkpoint), everything else on the real local engine process, which has no model loaded.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { SYNTHETIC_GEOMETRIES } from '../../../src/engine/synthetic/syntheticConfig';
import { ChatStream, type ChatDelta } from '../../../src/extension/chat/chatStream';
import { EngineSupervisor } from '../../../src/extension/engineSupervisor';
import { RemoteEngine } from '../../../src/extension/remote/remoteEngine';
import { RestartPolicy } from '../../../src/extension/restartPolicy';
import type { GenerationUsage } from '../../../src/shared/protocol';
import { builtEnginePath } from '../../helpers/builtEngine';
import { startServe, type ServeProcess } from '../../helpers/serveProcess';
import { ReplayServer } from './replayServer';

describe('RemoteEngine: generation on hearth serve, the rest on the local engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-remote-engine-'));
  const local = new EngineSupervisor({
    enginePath: builtEnginePath(),
    clientVersion: 'test',
    logLevel: () => 'warn',
    log: () => {},
    policy: new RestartPolicy({ initialDelayMs: 10, maxDelayMs: 10, maxRestarts: 0 }),
  });
  let serve: ServeProcess;
  let engine: RemoteEngine;

  before(async () => {
    const checkpoint = join(dir, 'tiny');
    await writeSyntheticCheckpoint({
      outDir: checkpoint,
      geometry: { ...SYNTHETIC_GEOMETRIES.tiny, maxPositionEmbeddings: 4096 },
      dtype: 'fp8',
      seed: 1,
      arch: 'qwen3',
      tied: true,
    });
    serve = await startServe([
      '--model',
      checkpoint,
      '--cache-dir',
      join(dir, 'cache'),
      '--threads',
      '1',
      '--context',
      '512',
    ]);
    engine = new RemoteEngine(local, () => Promise.resolve({ baseUrl: serve.url, model: 'tiny' }));
  });
  after(async () => {
    engine?.dispose();
    await local.dispose();
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams a chat through ChatStream as the local engine would, usage included', async () => {
    const usages: GenerationUsage[] = [];
    const chat = new ChatStream(engine, { maxTokens: () => 6, onUsage: (usage) => usages.push(usage) });
    const deltas: ChatDelta[] = [];
    const result = await chat.run(
      { messages: [{ role: 'user', content: 'Hi' }], thinking: 'off', sampling: { seed: 2 } },
      (delta) => deltas.push(delta),
      new CancellationTokenSource().token,
    );
    assert.equal(result.finishReason, 'length');
    assert.equal(result.usage.completionTokens, 6);
    assert.equal(deltas.map((d) => d.content ?? '').join(''), result.content);
    assert.equal(usages.length, 1);
  });

  it('cancels a chat through its token, keeping what came', async () => {
    const chat = new ChatStream(engine, { maxTokens: () => 400 });
    const source = new CancellationTokenSource();
    const result = await chat.run(
      { messages: [{ role: 'user', content: 'Tell a story.' }], thinking: 'off' },
      () => source.cancel(),
      source.token,
    );
    assert.equal(result.finishReason, 'cancelled');
    assert.ok(result.content.length + result.reasoning.length > 0);
  });

  it("counts tokens with the server's tokenizer", async () => {
    const { counts } = await engine.request('countTokens', { texts: ['Hello world<|im_end|>', ''] });
    assert.deepEqual(counts, [8, 0]);
  });

  it('completes on the server, and indexes on the local engine, which has no model', async () => {
    const completion = await engine.request('complete', { prompt: 'def add(a, b):', maxTokens: 3 });
    assert.equal(completion.usage.completionTokens, 3);
    assert.equal(await engine.request('model/info', undefined), null);
    const root = join(dir, 'repo');
    mkdirSync(root);
    writeFileSync(join(root, 'main.ts'), 'export const answer = 42;\n');
    const stats = await engine.request('context/index', { roots: [root] });
    assert.equal(stats.files, 1);
    // No model, so no tokenizer: the block is packed with the estimate (UTF-8 bytes over three).
    const packed = await engine.request('context/pack', { budget: 1_000, format: 'markdown' });
    assert.match(packed.text, /export const answer = 42;/);
    assert.ok(packed.stats.tokens > 0);
  });

  it("counts and packs a Qwen3 model's tokens with the bundled tokenizer when the server has no /tokenize", async () => {
    const replay = new ReplayServer();
    replay.respond = ReplayServer.status(404, { error: { message: 'Not Found' } });
    const baseUrl = await replay.start();
    const server = (model: string) => () => Promise.resolve({ baseUrl, model });
    const qwen3 = new RemoteEngine(local, server('qwen3:4b'));
    const llama = new RemoteEngine(local, server('llama3.2:3b'));
    try {
      // 29 tokens with Qwen3's tokenizer, 32 estimated (95 UTF-8 bytes over three).
      const source =
        'export function add(a: number, b: number): number {\n  return a + b; // <|im_end|> stays text\n}\n';
      assert.deepEqual(await qwen3.request('countTokens', { texts: [source, ''] }), { counts: [29, 0] });
      assert.deepEqual(await llama.request('countTokens', { texts: [source] }), { counts: [32] });
      const root = join(dir, 'counted');
      mkdirSync(root);
      writeFileSync(join(root, 'add.ts'), source);
      await qwen3.request('context/index', { roots: [root] });
      const packed = await qwen3.request('context/pack', { budget: 1_000 });
      const estimated = await llama.request('context/pack', { budget: 1_000 });
      assert.equal(packed.text, estimated.text);
      assert.deepEqual([packed.stats.tokens, estimated.stats.tokens], [145, 168]);
      assert.deepEqual(await qwen3.request('countTokens', { texts: [packed.text] }), { counts: [145] });
    } finally {
      qwen3.dispose();
      llama.dispose();
      await replay.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc';
import { EngineError } from '../../src/shared/engineError';
import { sendEngineRequest } from '../../src/shared/engineRpc';
import { EngineErrorCode, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { builtEnginePath } from '../helpers/builtEngine';

/** 95 UTF-8 bytes: 32 tokens estimated, 29 with Qwen3's tokenizer. */
const SOURCE = 'export function add(a: number, b: number): number {\n  return a + b; // <|im_end|> stays text\n}\n';

describe('the engine process with no model loaded (a remote server generates)', () => {
  let dir: string;
  let engine: ChildProcess;
  let connection: MessageConnection;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-token-counters-'));
    const root = join(dir, 'workspace');
    mkdirSync(root);
    writeFileSync(join(root, 'add.ts'), SOURCE);
    engine = spawn(process.execPath, [builtEnginePath()], {
      env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    connection = createMessageConnection(
      new StreamMessageReader(engine.stdout!),
      new StreamMessageWriter(engine.stdin!),
    );
    connection.listen();
    await sendEngineRequest(connection, 'initialize', {
      clientName: 'test',
      clientVersion: '0.0.0',
      protocolVersion: PROTOCOL_VERSION,
    });
    await sendEngineRequest(connection, 'context/index', { roots: [root] });
  });
  after(async () => {
    const exited = new Promise((resolve) => engine.once('exit', resolve));
    connection.dispose();
    engine.stdin?.end();
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts with the bundled Qwen3 tokenizer or the estimate when the request names one', async () => {
    assert.deepEqual(await sendEngineRequest(connection, 'countTokens', { texts: [SOURCE, ''], tokenizer: 'qwen3' }), {
      counts: [29, 0],
    });
    assert.deepEqual(await sendEngineRequest(connection, 'countTokens', { texts: [SOURCE], tokenizer: 'estimate' }), {
      counts: [32],
    });
    await assert.rejects(
      sendEngineRequest(connection, 'countTokens', { texts: [SOURCE] }),
      (error: unknown) => error instanceof EngineError && error.code === EngineErrorCode.ModelNotLoaded,
    );
  });

  it('packs the repository with the tokenizer the request names', async () => {
    const qwen3 = await sendEngineRequest(connection, 'context/pack', { budget: 1024, tokenizer: 'qwen3' });
    const estimate = await sendEngineRequest(connection, 'context/pack', { budget: 1024, tokenizer: 'estimate' });
    const unnamed = await sendEngineRequest(connection, 'context/pack', { budget: 1024 });
    assert.equal(qwen3.text, estimate.text);
    assert.deepEqual(
      [qwen3.stats.estimated, estimate.stats.estimated, unnamed.stats.estimated],
      [undefined, true, true],
    );
    assert.match(qwen3.text, /<\|file_sep\|>add\.ts\nexport function add/);
    const { counts } = await sendEngineRequest(connection, 'countTokens', {
      texts: [qwen3.text, estimate.text],
      tokenizer: 'qwen3',
    });
    assert.deepEqual(counts, [144, 144]);
    // The estimate rounds each piece of the block up: one token more than the whole block's 168.
    assert.deepEqual([qwen3.stats.tokens, estimate.stats.tokens, unnamed.stats.tokens], [144, 169, 169]);
    const estimated = await sendEngineRequest(connection, 'countTokens', {
      texts: [estimate.text],
      tokenizer: 'estimate',
    });
    assert.deepEqual(estimated.counts, [168]);
  });

  it('refuses a tokenizer it does not know, naming the field', async () => {
    await assert.rejects(
      sendEngineRequest(connection, 'context/pack', { budget: 1024, tokenizer: 'llama' as 'qwen3' }),
      (error: unknown) =>
        error instanceof EngineError && error.code === EngineErrorCode.InvalidParams && /tokenizer/.test(error.message),
    );
  });
});

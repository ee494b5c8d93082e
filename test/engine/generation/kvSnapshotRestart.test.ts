/**
 * KV snapshots across real engine processes (dist/engine.js): a prefix two questions shared in one process is
 * restored from disk by the next, which answers as a cold process does; a corrupt snapshot is discarded and
 * recomputed; a model loaded with other weights does not match it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineProcess } from '../../../src/extension/engineProcess';
import { sendEngineRequest } from '../../../src/shared/engineRpc';
import type { ChatMessage, ChatResult, ModelLoadParams } from '../../../src/shared/protocol';
import { kvSnapshotFolders } from '../../../src/engine/generation/kvSnapshotListing';
import { builtEnginePath } from '../../helpers/builtEngine';
import { CONTEXT_LENGTH, TinyModelFixture } from './tinyModelFixture';

/** About 750 tokens: a repository block longer than the 512 a snapshot needs. */
const REPOSITORY = Array.from(
  { length: 50 },
  (_, i) => `export function helper${i}(value: number): number {\n  return value * ${i};\n}\n`,
).join('\n');
const question = (text: string): ChatMessage[] => [
  { role: 'system', content: `You are Hearth.\n\n${REPOSITORY}` },
  { role: 'user', content: text },
];
const GREEDY = { temperature: 0, presencePenalty: 0, repetitionPenalty: 1 };

/** An engine process with the tiny model loaded, and its log. */
async function engineWith(load: ModelLoadParams) {
  const log: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  const { engine } = await EngineProcess.start({
    enginePath: builtEnginePath(),
    clientName: 'test',
    clientVersion: '0.0.0',
    logLevel: 'debug',
    log: (line) => {
      log.push(line);
      for (const listener of listeners) listener(line);
    },
  });
  await sendEngineRequest(engine.connection, 'model/load', load);
  return {
    log,
    stop: () => engine.stop(),
    ask: (text: string): Promise<ChatResult> =>
      sendEngineRequest(engine.connection, 'chat', {
        requestId: text,
        messages: question(text),
        thinking: 'off',
        maxTokens: 6,
        sampling: GREEDY,
      }),
    /** Resolves with the first log line matching `pattern`, logged already or to come. */
    logged: (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve) => {
        const check = (line: string) => {
          const match = pattern.exec(line);
          if (match !== null) resolve(match);
          return match !== null;
        };
        if (!log.some(check)) listeners.push(check);
      }),
  };
}

describe('KV snapshots across engine processes', () => {
  const fixture = new TinyModelFixture();
  const load = (overrides: Partial<ModelLoadParams> = {}): ModelLoadParams => ({
    path: fixture.checkpoint,
    contextLength: CONTEXT_LENGTH,
    threads: 1,
    quantization: 'fp32',
    cacheDir: fixture.cacheDir,
    ...overrides,
  });
  let stored: number;
  let cold: ChatResult;

  before(async () => {
    await fixture.write();
    const first = await engineWith(load());
    try {
      await first.ask('What does helper3 do?');
      const written = first.logged(/KV snapshot of (\d+) tokens stored/);
      await first.ask('Where is helper40 used?');
      stored = Number((await written)[1]);
    } finally {
      await first.stop();
    }
    const fresh = await engineWith(load({ cacheDir: join(fixture.root, 'cold-cache') }));
    try {
      cold = await fresh.ask('Explain helper7.');
    } finally {
      await fresh.stop();
    }
  });
  after(() => fixture.dispose());

  it('restores the shared prefix in a new process and answers as a cold process does', async () => {
    assert.ok(stored > 512, `stored ${stored} tokens`);
    assert.equal(cold.usage.diskTokens, 0);
    const next = await engineWith(load());
    try {
      const answer = await next.ask('Explain helper7.');
      assert.equal(answer.usage.diskTokens, stored);
      assert.equal(answer.usage.cachedTokens, stored);
      assert.equal(answer.usage.promptTokens, cold.usage.promptTokens);
      assert.equal(answer.content, cold.content);
    } finally {
      await next.stop();
    }
  });

  it('does not match the snapshot from a model loaded with int4 weights', async () => {
    const int4 = await engineWith(load({ quantization: 'int4' }));
    try {
      const answer = await int4.ask('Explain helper7.');
      assert.equal(answer.usage.diskTokens, 0);
      assert.equal(answer.usage.cachedTokens, 0);
    } finally {
      await int4.stop();
    }
    assert.equal(kvSnapshotFolders(join(fixture.cacheDir, 'kv')).length, 1, 'the fp32 snapshot is kept, unused');
  });

  it('discards a corrupt snapshot with a log line, computes the prefix, and answers as a cold process does', async () => {
    const [file] = kvSnapshotFolders(join(fixture.cacheDir, 'kv'))[0].files;
    const bytes = readFileSync(file.path);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(file.path, bytes);
    const next = await engineWith(load());
    try {
      const answer = await next.ask('Explain helper7.');
      assert.equal(answer.usage.diskTokens, 0);
      assert.equal(answer.usage.cachedTokens, 0);
      assert.equal(answer.content, cold.content);
      assert.ok(
        next.log.some((line) => /KV snapshot .* discarded: block \d+ fails its checksum/.test(line)),
        next.log.join('\n'),
      );
      assert.equal(existsSync(file.path), false);
    } finally {
      await next.stop();
    }
  });
});

/**
 * `hearth chat` through the built CLI on a tiny synthetic Qwen3 checkpoint (random weights, the real tokenizer and
 * hybrid chat template): streamed text, seeded JSON results, a prompt from stdin, thinking off, Ctrl-C.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { SYNTHETIC_GEOMETRIES } from '../../../src/engine/synthetic/syntheticConfig';
import type { ChatResult } from '../../../src/shared/protocol';
import type { CliRun } from '../../helpers/builtCli';

const CLI = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli.js');
/** The stats line on stderr, whatever the speeds. */
const STATS_LINE =
  /^(\d+) prompt tokens \((\d+) cached\), (\d+) generated \((stop|length|cancelled)\); prefill [\d.]+ tokens\/s, decode [\d.]+ tokens\/s; first token [\d.]+ s$/m;

/** The built CLI with HEARTH_MODEL cleared, so the machine's own setting cannot leak in. */
function hearth(args: string[], input?: string): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HEARTH_MODEL: '' },
    ...(input !== undefined && { input }),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('hearth chat (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-chat-cli-'));
  const checkpoint = join(dir, 'tiny');
  const cacheDir = join(dir, 'cache');
  // A short native context keeps the default load small.
  const model = ['--model', checkpoint, '--cache-dir', cacheDir, '--threads', '1'];

  before(async () => {
    await writeSyntheticCheckpoint({
      outDir: checkpoint,
      geometry: { ...SYNTHETIC_GEOMETRIES.tiny, maxPositionEmbeddings: 4096 },
      dtype: 'fp8',
      seed: 1,
      arch: 'qwen3',
      tied: true,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const json = (run: CliRun): ChatResult => {
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 1, 'one JSON line');
    return JSON.parse(lines[0]) as ChatResult;
  };
  /** What a seed makes reproducible: everything but the timings. */
  const reproducible = (result: ChatResult) => ({
    ...result,
    usage: { promptTokens: result.usage.promptTokens, completionTokens: result.usage.completionTokens },
  });

  it('gives the same JSON result for the same seed, and streams that answer without --json', () => {
    const first = json(
      hearth(['chat', ...model, '--seed', '7', '--max-tokens', '12', '--json', 'Name three colours.']),
    );
    const second = json(
      hearth(['chat', ...model, '--seed', '7', '--max-tokens', '12', '--json', 'Name three colours.']),
    );
    assert.deepEqual(reproducible(second), reproducible(first));
    assert.equal(first.seed, 7);
    assert.equal(first.finishReason, 'length');
    assert.equal(first.usage.completionTokens, 12);
    assert.ok(first.content.length > 0);

    const streamed = hearth(['chat', ...model, '--seed', '7', '--max-tokens', '12', 'Name three colours.']);
    assert.equal(streamed.status, 0, streamed.stderr);
    // No reasoning from this seed: stdout is the answer alone, ended with a newline.
    assert.equal(first.reasoning, '');
    assert.equal(streamed.stdout, `${first.content}\n`);
    const stats = STATS_LINE.exec(streamed.stderr);
    assert.ok(stats, streamed.stderr);
    assert.deepEqual(stats.slice(1, 5), [String(first.usage.promptTokens), '0', '12', 'length']);
  });

  it('takes the KV cache from --kv (default auto: float32 at this 4,096-token context), and refuses an unknown one', () => {
    const auto = hearth(['chat', ...model, '--seed', '1', '--max-tokens', '2', 'Hi']);
    assert.match(auto.stderr, /^model .*tiny: hybrid, int8 weights, float32 KV cache, context 4,096 tokens; /m);
    const int8 = hearth(['chat', ...model, '--kv', 'int8', '--seed', '1', '--max-tokens', '2', '--json', 'Hi']);
    assert.equal(json(int8).usage.completionTokens, 2);
    assert.match(int8.stderr, /^model .*tiny: hybrid, int8 weights, int8 KV cache, context 4,096 tokens; /m);
    const bad = hearth(['chat', ...model, '--kv', 'fp16', 'Hi']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--kv must be one of auto, float32, int8, not "fp16"/);
    assert.match(
      bad.stderr,
      /usage: hearth chat --model DIR \[--quantization int8\|int4\|fp32\] \[--kv auto\|float32\|int8\]/,
    );
  });

  it('reads the prompt from stdin when none is given', () => {
    const fromArgument = json(
      hearth(['chat', ...model, '--seed', '3', '--max-tokens', '6', '--json', 'What is a monad?']),
    );
    const fromStdin = json(
      hearth(['chat', ...model, '--seed', '3', '--max-tokens', '6', '--json'], 'What is a monad?'),
    );
    assert.deepEqual(reproducible(fromStdin), reproducible(fromArgument));
  });

  it('turns thinking off and on as asked', () => {
    const off = json(
      hearth(['chat', ...model, '--seed', '1', '--max-tokens', '6', '--thinking', 'off', '--json', 'Hi']),
    );
    assert.deepEqual(off.thinking, { enabled: false, decidedBy: 'request' });
    assert.equal(off.reasoning, '');
    const on = json(hearth(['chat', ...model, '--seed', '1', '--max-tokens', '6', '--thinking', 'on', '--json', 'Hi']));
    assert.deepEqual(on.thinking, { enabled: true, decidedBy: 'request' });
    // The non-thinking prompt ends with an empty <think></think> block: 4 more tokens (<think>, \n\n, </think>, \n\n).
    assert.equal(off.usage.promptTokens, on.usage.promptTokens + 4);
  });

  it('cancels on Ctrl-C: the output so far, the stats line with "cancelled", exit code 130', async () => {
    const child = spawn(process.execPath, [CLI, 'chat', ...model, '--seed', '2', 'Tell me a long story.'], {
      env: { ...process.env, HEARTH_MODEL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (stdout === '') child.kill('SIGINT');
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    assert.equal(code, 130, stderr);
    assert.ok(stdout.length > 0);
    assert.match(stderr, /generated \(cancelled\)/);
    assert.match(stderr, /hearth chat: cancelled\n$/);
  });

  it('says how to get a model when none is given (exit code 2), and rejects bad options', () => {
    const none = hearth(['chat', '--cache-dir', cacheDir, 'Hi']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no model: give --model DIR or set HEARTH_MODEL/);
    assert.match(none.stderr, /hearth download Qwen\/Qwen3-4B-Instruct-2507-FP8/);
    const badThinking = hearth(['chat', ...model, '--thinking', 'maybe', 'Hi']);
    assert.equal(badThinking.status, 2);
    assert.match(badThinking.stderr, /--thinking must be one of auto, on, off, not "maybe"/);
    assert.equal(hearth(['chat', ...model, '--temperature', 'warm', 'Hi']).status, 2);
  });
});

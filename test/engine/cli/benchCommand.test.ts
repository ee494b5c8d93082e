import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYNTHETIC_GEOMETRIES } from '../../../src/engine/synthetic/syntheticConfig';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { runCli } from '../../helpers/builtCli';

/** The report's fields this test reads (benchCommand.ts prints more). */
interface BenchReport {
  weights: string;
  kv: string;
  threads: number;
  results: { test: string; tokens: number; ms: number; medianStepMs?: number }[];
  decodeStepMs: number;
  weightMatmulsMs?: number;
  weightBytes: number;
  kvBytesAtContext: number;
  contextLength: number;
  peakRssBytes: number;
  readBytesPerSecond: number;
  ceilings: { test: string; ratio: number }[];
}

describe('hearth bench (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  const model = join(dir, 'model');
  const cacheDir = join(dir, 'cache');
  before(async () => {
    await writeSyntheticCheckpoint({
      outDir: model,
      geometry: { ...SYNTHETIC_GEOMETRIES.tiny, vocabSize: 512 },
      dtype: 'fp8',
      seed: 5,
      arch: 'qwen3',
      tied: true,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--kv int8 --turns: reports the cache dtype and its bytes at the context, with pp512, tg128, tg128 @ d8192 and two models taking turns', () => {
    const run = runCli([
      'bench',
      '--model',
      model,
      '--cache-dir',
      cacheDir,
      '--kv',
      'int8',
      '--threads',
      '1',
      '--turns',
      '--json',
    ]);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as BenchReport;
    assert.equal(report.weights, 'int8');
    assert.equal(report.kv, 'int8');
    assert.equal(report.threads, 1);
    assert.deepEqual(
      report.results.map((r) => [r.test, r.tokens]),
      [
        ['pp512', 512],
        ['tg128', 128],
        ['pp8192', 8193],
        ['tg128 @ d8192', 128],
        ['tg128 2 models', 128],
      ],
    );
    // Generation tests report their median step; the decode step and the weight matmuls alone are measured side by side.
    for (const r of report.results.filter((r) => r.test.startsWith('tg')))
      assert.ok(
        r.medianStepMs! > 0 && r.medianStepMs! < r.ms,
        `${r.test}: median step ${r.medianStepMs} of ${r.ms} ms`,
      );
    assert.deepEqual(
      report.results.filter((r) => r.test.startsWith('pp')).map((r) => r.medianStepMs),
      [undefined, undefined],
    );
    assert.ok(
      report.decodeStepMs > 0 && report.weightMatmulsMs! > 0,
      `step ${report.decodeStepMs} ms, matmuls ${report.weightMatmulsMs} ms`,
    );
    assert.equal(report.contextLength, 8448);
    // 2 layers × 2 KV heads × (2·64 levels + 3 floats) bytes × 8448 positions.
    assert.equal(report.kvBytesAtContext, 2 * 2 * (2 * 64 + 12) * 8448);
    assert.ok(report.peakRssBytes > report.weightBytes);
    // The ceiling of tg128 @ d8192: tg128's mean step plus 8192 positions of the cache read at the measured bandwidth.
    assert.ok(report.readBytesPerSecond > 0);
    const tg = report.results[1];
    const kvMs = (2 * 2 * (2 * 64 + 12) * 8192 * 1000) / report.readBytesPerSecond;
    assert.deepEqual(
      report.ceilings.map((c) => c.test),
      ['tg128 @ d8192'],
    );
    assert.ok(
      Math.abs(report.ceilings[0].ratio - tg.ms / tg.tokens / (tg.ms / tg.tokens + kvMs)) < 1e-12,
      `ceiling ${report.ceilings[0].ratio}`,
    );
  });

  it('refuses a KV dtype it does not have', () => {
    const run = runCli(['bench', '--model', model, '--cache-dir', cacheDir, '--kv', 'fp16']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--kv must be one of auto, float32, int8, not "fp16"/);
  });
});

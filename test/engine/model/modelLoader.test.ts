/**
 * The whole path a user's model takes: a Hugging Face checkpoint folder → validation → weight conversion into
 * the cache → ONNX graph → session → logits, checked against the float64 reference on the same weights.
 */
import assert from 'node:assert/strict';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint } from '../../../src/engine/checkpoint/checkpoint';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { argmax } from '../../../src/engine/text/topCandidates';
import { loadModel, type LoadedModel } from '../../../src/engine/model/modelLoader';
import { kvBytesPerToken } from '../../../src/engine/onnx/kvBudget';
import { kvCacheBytes } from '../../../src/engine/onnx/kvCache';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { maxAbsDifference, meanAbsDifference } from '../onnx/tinyDecoderSource';
import { ReferenceModel } from '../reference/referenceForward';

const root = mkdtempSync(join(tmpdir(), 'hearth-loader-'));
const prompt = [9707, 11, 1879, 0, 151644, 872, 198];
const STEPS = 16;
const GIB = 1024 ** 3;

/** The reference on the weights as the checkpoint holds them (FP8 dequantized with its block scales). */
function referenceFor(dir: string): ReferenceModel {
  const checkpoint = openCheckpoint(dir);
  try {
    const weights = new Map<string, Float32Array>();
    const get = (name: string) => {
      if (!weights.has(name))
        weights.set(
          name,
          name.endsWith('_proj.weight')
            ? checkpoint.readLinearFloat32(name.slice(0, -'.weight'.length))
            : checkpoint.readFloat32(name),
        );
      return weights.get(name)!;
    };
    const reference = new ReferenceModel(checkpoint.config, get, 64);
    reference.forward([0]); // reads every weight while the checkpoint is open
    reference.reset();
    return reference;
  } finally {
    checkpoint.close();
  }
}

/** Greedy-decodes STEPS steps with both, the reference choosing the tokens; returns per-step logit errors. */
async function compare(model: LoadedModel, reference: ReferenceModel) {
  const steps: {
    maxAbs: number;
    meanAbs: number;
    sameTop1: boolean;
    expectedId: number;
    actualId: number;
    margin: number;
  }[] = [];
  let expected = reference.forward(prompt);
  let actual = await model.decoder.prefill(prompt);
  for (let step = 0; step < STEPS; step++) {
    const expectedId = argmax(Float32Array.from(expected), expected.length);
    const actualId = argmax(actual, actual.length);
    // How much better the reference's choice is than ours, by the reference's own logits (0 when they agree).
    const margin = expected[expectedId] - expected[actualId];
    steps.push({
      maxAbs: maxAbsDifference(actual, expected),
      meanAbs: meanAbsDifference(actual, expected),
      sameTop1: expectedId === actualId,
      expectedId,
      actualId,
      margin,
    });
    expected = reference.forward([expectedId]);
    actual = await model.decoder.decode(expectedId);
  }
  return steps;
}

describe('loadModel on synthetic Hugging Face checkpoints (tiny geometry, real vocabulary)', () => {
  const f32 = join(root, 'tiny-f32');
  const fp8 = join(root, 'tiny-fp8');
  const cacheDir = join(root, 'cache');
  const open: LoadedModel[] = [];
  const load = async (dir: string, quantization: 'fp32' | 'int8', cache = cacheDir) => {
    const model = await loadModel(dir, { quantization, contextLength: 64, threads: 1, cacheDir: cache });
    open.push(model);
    return model;
  };

  before(async () => {
    await writeSyntheticCheckpoint({ outDir: f32, geometry: 'tiny', dtype: 'f32', seed: 1, arch: 'qwen3', tied: true });
    await writeSyntheticCheckpoint({ outDir: fp8, geometry: 'tiny', dtype: 'fp8', seed: 1, arch: 'qwen3', tied: true });
  });
  after(async () => {
    for (const model of open) await model.decoder.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('F32 checkpoint, fp32 graph: greedy ids identical and max |Δlogit| ≤ 1e-3 over 16 steps', async () => {
    const model = await load(f32, 'fp32');
    const steps = await compare(model, referenceFor(f32));
    assert.deepEqual(
      steps.map((s) => s.actualId),
      steps.map((s) => s.expectedId),
    );
    const worst = Math.max(...steps.map((s) => s.maxAbs));
    assert.ok(worst <= 1e-3, `max |Δlogit| ${worst}`);
  });

  it('FP8 checkpoint, int8 graph: top-1 agrees on ≥ 15 of 16 steps with the reference on the dequantized weights', async () => {
    const model = await load(fp8, 'int8');
    assert.equal(model.stats.converted, true);
    const steps = await compare(model, referenceFor(fp8));
    const agree = steps.filter((s) => s.sameTop1).length;
    const worst = Math.max(...steps.map((s) => s.maxAbs));
    const mean = steps.reduce((sum, s) => sum + s.meanAbs, 0) / steps.length;
    // Measured (seed 1, this prompt): 15/16 agree, max |Δlogit| ≈ 0.05, mean ≈ 0.008, with logits of std ≈ 0.3.
    // The same int8 weights in the float64 reference alone give max 0.044: the error is the int8 weights', not the
    // graph's. With 151,936 random logits the top two are often closer than that, so a flip is allowed only
    // where the reference itself barely prefers its choice.
    assert.ok(agree >= 15, `top-1 agreement ${agree}/16`);
    assert.ok(worst < 0.1, `max |Δlogit| ${worst}`);
    assert.ok(mean < 0.02, `mean |Δlogit| ${mean}`);
    for (const step of steps)
      assert.ok(step.margin <= 2 * step.maxAbs, `a flip where the reference prefers its token by ${step.margin}`);
  });

  it('reuses the converted weights on the next load, with identical logits', async () => {
    const first = await load(fp8, 'int8');
    const second = await load(fp8, 'int8');
    assert.equal(second.stats.converted, false);
    assert.equal(second.stats.weightsPath, first.stats.weightsPath);
    assert.deepEqual(await second.decoder.prefill(prompt), await first.decoder.prefill(prompt));
  });

  it('writes the graph beside the cached weights only when it changed, and never over the file a reader holds', async () => {
    const cache = join(root, 'cache-graph');
    const first = await load(fp8, 'int8', cache);
    const graph = `${first.stats.weightsPath}.decoder.onnx`;
    const bytes = readFileSync(graph);
    // Loading the same model again writes nothing: the time this test gave the graph stays.
    const past = new Date('2001-01-01T00:00:00Z');
    utimesSync(graph, past, past);
    await load(fp8, 'int8', cache);
    assert.equal(statSync(graph).mtimeMs, past.getTime());
    // A graph that differs is replaced whole: whoever opened the old file still reads the old bytes.
    writeFileSync(graph, 'not a graph');
    const reader = openSync(graph, 'r');
    try {
      const second = await load(fp8, 'int8', cache);
      assert.deepEqual(readFileSync(graph), bytes);
      assert.equal(readFileSync(reader, 'utf8'), 'not a graph');
      assert.deepEqual(await second.decoder.prefill(prompt), await first.decoder.prefill(prompt));
    } finally {
      closeSync(reader);
    }
  });

  it('converts again when the cached file was cut short (a killed conversion is never trusted)', async () => {
    const cache = join(root, 'cache-truncated');
    const first = await load(fp8, 'int8', cache);
    const expected = await first.decoder.prefill(prompt);
    truncateSync(first.stats.weightsPath, 4096);
    const discarded: [string, string][] = [];
    const again = await loadModel(fp8, {
      quantization: 'int8',
      contextLength: 64,
      threads: 1,
      cacheDir: cache,
      onCacheDiscard: (path, reason) => discarded.push([path, reason]),
    });
    open.push(again);
    assert.equal(again.stats.converted, true);
    assert.deepEqual(discarded, [
      [first.stats.weightsPath, 'header length 4437 past the end of the file (4096 bytes)'],
    ]);
    assert.deepEqual(await again.decoder.prefill(prompt), expected);
  });

  it('refuses a cache folder that cannot be written, with CacheUnwritable and a hint', async () => {
    const blocker = join(root, 'not-a-folder');
    writeFileSync(blocker, 'x');
    await assert.rejects(
      loadModel(fp8, { quantization: 'int8', contextLength: 64, cacheDir: join(blocker, 'cache') }),
      (error: unknown) => {
        assert.ok(error instanceof EngineError);
        assert.equal(error.code, EngineErrorCode.CacheUnwritable);
        assert.match(error.hint ?? '', /hearth\.cacheDir/);
        return true;
      },
    );
  });

  it('refuses a context whose KV cache exceeds the memory budget, with LoadContextTooLarge, before converting anything', async () => {
    const untouched = join(root, 'cache-of-a-refused-load');
    for (const kvCache of ['float32', 'int8'] as const) {
      await assert.rejects(
        loadModel(fp8, {
          quantization: 'int8',
          contextLength: 32_768,
          kvBudgetBytes: 1024 * 1024,
          kvCache,
          cacheDir: untouched,
        }),
        (error: unknown) => {
          assert.ok(error instanceof EngineError);
          assert.equal(error.code, EngineErrorCode.LoadContextTooLarge);
          assert.match(error.hint ?? '', /at most \d+ tokens/);
          return true;
        },
      );
    }
    assert.deepEqual(existsSync(untouched) ? readdirSync(untouched) : [], []);
  });

  it('sizes the completion sequence from what the budget leaves beside the context, never the runtime reserve', async () => {
    const probe = await loadModel(fp8, { quantization: 'int8', contextLength: 1024, kvCache: 'int8', cacheDir });
    await probe.decoder.dispose();
    /** Free memory whose budget (80% less the weights) holds the reserve and `positions` positions of int8 KV. */
    const memory = (positions: number) => ({
      freeBytes: Math.ceil((probe.stats.weightBytes + GIB + positions * kvBytesPerToken(probe.config, 'int8')) / 0.8),
      totalBytes: 64 * GIB,
    });
    const load = (positions: number) =>
      loadModel(fp8, {
        quantization: 'int8',
        contextLength: 1024,
        kvCache: 'int8',
        cacheDir,
        memory: memory(positions),
      });
    const tight = await load(1024 + 500); // 448 positions beside the context: under the sequence's 1,024
    const roomy = await load(1024 + 1100);
    try {
      assert.equal(tight.decoder.completions, undefined);
      assert.equal(roomy.decoder.completions?.contextLength, 1024);
    } finally {
      await tight.decoder.dispose();
      await roomy.decoder.dispose();
    }
  });

  it('names the 8-bit KV cache when float32 does not fit the budget and int8 does', async () => {
    // Tiny geometry, per position: float32 2 layers × 2 heads × 2 × 64 × 4 = 2,048 bytes, int8 2 × 2 × (128 + 12) = 560,
    // each × 3/2 for the growth slack: 3,072 and 840. A budget of 1,024 × 840 bytes fits 1,024 positions of int8 only.
    const kvBudgetBytes = 1024 * 840;
    for (const kvCache of ['float32', undefined] as const) {
      await assert.rejects(
        loadModel(fp8, {
          quantization: 'int8',
          contextLength: 1024,
          kvBudgetBytes,
          cacheDir,
          ...(kvCache !== undefined && { kvCache }),
        }),
        (error: unknown) => {
          assert.ok(error instanceof EngineError);
          assert.equal(error.code, EngineErrorCode.LoadContextTooLarge);
          // The message's sizes round to 0.00 GiB at this geometry (kvBudget.test.ts pins them on a real one); the hint's 280 tokens pin the arithmetic.
          assert.equal(
            error.hint,
            'The 8-bit KV cache (int8) fits this context; or choose a context of at most 280 tokens, or close other programs to free memory.',
          );
          return true;
        },
      );
    }
    const auto = await loadModel(fp8, {
      quantization: 'int8',
      contextLength: 1024,
      kvBudgetBytes,
      kvCache: 'auto',
      threads: 1,
      cacheDir,
    });
    open.push(auto);
    assert.deepEqual(
      [auto.decoder.kvCacheDtype, auto.decoder.contextLength, auto.decoder.bytesPerPosition],
      ['int8', 1024, kvCacheBytes(auto.config, 1, 'int8')],
    );
  });

  it('refuses a folder that is not a checkpoint, naming what is missing', async () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    await assert.rejects(loadModel(empty, { quantization: 'int8', cacheDir }), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.match(error.message, /config\.json/);
      return true;
    });
  });
});

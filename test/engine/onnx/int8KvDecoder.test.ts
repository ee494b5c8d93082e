import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelConfig } from '../../../src/engine/checkpoint/modelConfig';
import { OnnxDecoder, type OnnxDecoderOptions } from '../../../src/engine/onnx/onnxDecoder';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import {
  argmax,
  decoderTestConfig,
  maxAbsDifference,
  TEST_PROMPT as prompt,
  TEST_STEPS as STEPS,
  decoderOpener,
  testModel,
  type TestModel,
} from './tinyDecoderSource';

/**
 * The int8 KV cache against the fp32 one and the float64 reference, with fp32 weights so that the cache is the
 * only approximation. Each bound is the maximum |Δlogit| measured (in the test's name) with about 40% margin.
 * For scale: the reference logits' standard deviation is 0.31 (tiny qwen3), 0.93 (tiny llama/qwen2) and 0.45
 * (small qwen3), and int8 weights alone give 0.044 on tiny qwen3 (onnxDecoder.test.ts). About a third of the
 * error on qwen3 comes from the query's 8-bit rounding on the quantized branch (int8KvAttention.ts).
 */
const open = decoderOpener({ contextLength: 160, kvCacheDtype: 'int8' });

interface Run {
  ids: number[];
  logits: Float32Array[];
}

/** Greedy continuation: `first` are the logits after the prompt; each next token is the argmax of the last. */
async function greedy(decoder: OnnxDecoder, first: Float32Array, steps = STEPS): Promise<Run> {
  const run: Run = { ids: [], logits: [first] };
  let logits = first;
  for (let step = 0; step < steps; step++) {
    const next = argmax(logits);
    run.ids.push(next);
    logits = await decoder.decode(next);
    run.logits.push(logits);
  }
  return run;
}

/** The reference's logits for the same token sequence as `run` (its prompt, then run.ids). */
function referenceFor(model: TestModel, tokens: readonly number[], run: Run): Run {
  const reference = model.reference(160);
  const result: Run = { ids: [], logits: [Float32Array.from(reference.forward(tokens))] };
  for (const id of run.ids) {
    result.ids.push(argmax(result.logits.at(-1)!));
    result.logits.push(Float32Array.from(reference.forward([id])));
  }
  return result;
}

function maxDifference(a: Run, b: Run): number {
  return Math.max(...a.logits.map((logits, step) => maxAbsDifference(logits, b.logits[step])));
}

async function againstReference(
  model: TestModel,
  options: Partial<OnnxDecoderOptions> = {},
  tokens = prompt,
): Promise<{ difference: number; ids: number[]; referenceIds: number[] }> {
  const decoder = await open(model, options);
  const run = await greedy(decoder, await decoder.prefill(tokens));
  const reference = referenceFor(model, tokens, run);
  return { difference: maxDifference(run, reference), ids: run.ids, referenceIds: reference.ids };
}

const small: ModelConfig = decoderTestConfig('qwen3', {
  hiddenSize: 512,
  numLayers: 4,
  numHeads: 8,
  numKvHeads: 4,
  headDim: 128,
  intermediateSize: 1024,
});

describe('OnnxDecoder with an int8 KV cache', () => {
  for (const [name, config, bound] of [
    ['tiny qwen3 (2 layers, 2 KV heads of 64; measured 0.019)', decoderTestConfig('qwen3'), 0.03],
    ['tiny llama (no q/k norm; measured 0.048)', decoderTestConfig('llama'), 0.07],
    ['small qwen3 (4 layers, 4 KV heads of 128, the real head_dim; measured 0.033)', small, 0.05],
  ] as const) {
    it(`${name}: same greedy ids as the reference over ${STEPS} steps, |Δlogit| ≤ ${bound}`, async () => {
      const model = testModel(config);
      const { difference, ids, referenceIds } = await againstReference(model);
      assert.deepEqual(ids, referenceIds);
      assert.ok(difference <= bound, `max |Δlogit| ${difference}`);
    });
  }

  it('agrees with the fp32 cache on the greedy ids; measured |Δlogit| 0.019', async () => {
    const model = testModel(decoderTestConfig('qwen3'));
    const int8 = await open(model);
    const fp32 = await open(model, { kvCacheDtype: 'float32' });
    const a = await greedy(int8, await int8.prefill(prompt));
    const b = await greedy(fp32, await fp32.prefill(prompt));
    assert.deepEqual(a.ids, b.ids);
    const difference = maxDifference(a, b);
    assert.ok(difference <= 0.03, `max |Δlogit| ${difference}`);
  });

  it('prefill in chunks of 40 and of 8 over a cached past both match; measured 0.037 and 0.038', async () => {
    const model = testModel(small);
    const longPrompt = Array.from({ length: 60 }, (_, i) => (i * 53 + 11) % 512);
    for (const chunk of [40, 8]) {
      const decoder = await open(model, { prefillChunkTokens: chunk });
      await decoder.prefill(longPrompt.slice(0, 12));
      const run = await greedy(decoder, await decoder.prefill(longPrompt.slice(12)));
      const reference = referenceFor(model, longPrompt, run);
      const difference = maxDifference(run, reference);
      assert.deepEqual(run.ids, reference.ids);
      assert.ok(difference <= 0.05, `chunks of ${chunk}: max |Δlogit| ${difference}`);
    }
  });

  it('truncate then re-prefill continues like the reference over the kept prefix; measured 0.058 (qwen2)', async () => {
    const model = testModel(decoderTestConfig('qwen2'));
    const decoder = await open(model);
    await decoder.prefill([...prompt, 9, 9, 9, 9]);
    await decoder.decode(123);
    decoder.truncate(prompt.length);
    const run = await greedy(decoder, await decoder.prefill([40, 41]));
    const reference = referenceFor(model, [...prompt, 40, 41], run);
    const difference = maxDifference(run, reference);
    assert.deepEqual(run.ids, reference.ids);
    assert.ok(difference <= 0.08, `max |Δlogit| ${difference}`);
  });

  it('appendRows from copied rows gives exactly the logits of the cache they were copied from', async () => {
    const model = testModel(decoderTestConfig('qwen3'));
    const source = await open(model);
    const first = await source.prefill(prompt);
    const rows = source.copyRows(0, prompt.length);
    assert.equal(rows.dtype, 'int8');
    const restored = await open(model);
    restored.appendRows(rows, 0, prompt.length);
    const a = await greedy(source, first);
    const b = await greedy(restored, first);
    assert.deepEqual(b.ids, a.ids);
    assert.equal(maxDifference(a, b), 0);
    const difference = maxDifference(b, referenceFor(model, prompt, b));
    assert.ok(difference <= 0.03, `max |Δlogit| ${difference}`); // measured 0.019, as in the first test
  });

  it('reports its dtype and bytes per position, and sizes LoadContextTooLarge by them', async () => {
    const model = testModel(decoderTestConfig('llama'));
    const decoder = await open(model);
    assert.equal(decoder.kvCacheDtype, 'int8');
    // 2 layers × 2 KV heads × (2·64 levels + 3 floats) bytes.
    assert.equal(decoder.bytesPerPosition, 2 * 2 * (2 * 64 + 12));
    // 560 bytes per position, 840 with the growth margin: a budget the float32 cache (3 KiB) would not fit.
    await assert.rejects(
      OnnxDecoder.create(model.source, {
        quantization: 'fp32',
        contextLength: 4096,
        kvBudgetBytes: 3 * 1024 * 1000,
        kvCacheDtype: 'int8',
      }),
      (error: unknown) => {
        assert.ok(error instanceof EngineError);
        assert.equal(error.code, EngineErrorCode.LoadContextTooLarge);
        assert.equal(error.hint, 'Choose a context of at most 3657 tokens, or close other programs to free memory.');
        return true;
      },
    );
    await open(model, { contextLength: 3657, kvBudgetBytes: 3 * 1024 * 1000 });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Architecture } from '../../../src/engine/checkpoint/modelConfig';
import { OnnxDecoder } from '../../../src/engine/onnx/onnxDecoder';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import {
  argmax,
  decoderTestConfig,
  maxAbsDifference,
  meanAbsDifference,
  TEST_PROMPT as prompt,
  TEST_STEPS as STEPS,
  decoderOpener,
  testModel,
  type TestModel,
} from './tinyDecoderSource';

const open = decoderOpener({ contextLength: 128 });

interface Comparison {
  referenceIds: number[];
  onnxIds: number[];
  maxDifference: number;
  meanDifference: number;
}

/** Prefills `tokens`, then decodes STEPS steps fed with the reference's greedy token. */
async function compareWithReference(
  model: TestModel,
  decoder: OnnxDecoder,
  tokens: readonly number[],
): Promise<Comparison> {
  const reference = model.reference(decoder.contextLength);
  const result: Comparison = { referenceIds: [], onnxIds: [], maxDifference: 0, meanDifference: 0 };
  let expected = reference.forward(tokens);
  let actual = await decoder.prefill(tokens);
  for (let step = 0; step < STEPS; step++) {
    result.maxDifference = Math.max(result.maxDifference, maxAbsDifference(actual, expected));
    result.meanDifference += meanAbsDifference(actual, expected) / STEPS;
    const next = argmax(expected);
    result.referenceIds.push(next);
    result.onnxIds.push(argmax(actual));
    expected = reference.forward([next]);
    actual = await decoder.decode(next);
  }
  return result;
}

describe('OnnxDecoder (fp32) against the float64 reference', () => {
  const cases: [Architecture, boolean][] = [
    ['qwen3', true],
    ['qwen3', false],
    ['qwen2', false],
    ['qwen2', true],
    ['llama', false],
    ['llama', true],
  ];
  for (const [architecture, tied] of cases) {
    it(`${architecture}, ${tied ? 'tied' : 'untied'} embeddings: same greedy ids, |Δlogit| ≤ 1e-3 over ${STEPS} steps`, async () => {
      const model = testModel(decoderTestConfig(architecture, { tieWordEmbeddings: tied }));
      const decoder = await open(model);
      const { referenceIds, onnxIds, maxDifference } = await compareWithReference(model, decoder, prompt);
      assert.deepEqual(onnxIds, referenceIds);
      assert.ok(maxDifference <= 1e-3, `max |Δlogit| ${maxDifference}`);
      assert.equal(decoder.length, prompt.length + STEPS);
      // Non-degenerate output: the greedy continuation is not one repeated token.
      assert.ok(new Set(referenceIds).size > 3);
    });
  }

  it('Qwen3-4B-like heads: heads·headDim ≠ hidden, 4 query heads per KV head', async () => {
    const model = testModel(decoderTestConfig('qwen3', { hiddenSize: 192, numHeads: 8, numKvHeads: 2, headDim: 32 }));
    const decoder = await open(model);
    const { referenceIds, onnxIds, maxDifference } = await compareWithReference(model, decoder, prompt);
    assert.deepEqual(onnxIds, referenceIds);
    assert.ok(maxDifference <= 1e-3, `max |Δlogit| ${maxDifference}`);
  });

  it('YaRN (context 4× the native 32 positions) matches the reference past the native length', async () => {
    const model = testModel(decoderTestConfig('qwen3', { maxPositionEmbeddings: 32 }));
    const decoder = await open(model, { contextLength: 128 });
    const longPrompt = Array.from({ length: 40 }, (_, i) => (i * 37 + 5) % 512);
    const { referenceIds, onnxIds, maxDifference } = await compareWithReference(model, decoder, longPrompt);
    assert.deepEqual(onnxIds, referenceIds);
    assert.ok(maxDifference <= 1e-3, `max |Δlogit| ${maxDifference}`);
  });
});

describe('OnnxDecoder (MatMulNBits) against the float64 reference', () => {
  // Weights and (accuracy_level 4) activations are quantized; random tiny models have close logits, so the
  // top token can flip where the reference's two best are nearly tied.
  const agreementAndError = async (architecture: Architecture, tied: boolean, quantization: 'int8' | 'int4') => {
    const model = testModel(decoderTestConfig(architecture, { tieWordEmbeddings: tied }));
    const { referenceIds, onnxIds, maxDifference, meanDifference } = await compareWithReference(
      model,
      await open(model, { quantization }),
      prompt,
    );
    return {
      agreements: referenceIds.filter((id, step) => id === onnxIds[step]).length,
      maxDifference,
      meanDifference,
    };
  };

  it('int8, tied (embedding read from lm_head): top token agrees in ≥ 15 of 16 steps; measured 16, max |Δlogit| 0.044, mean 0.0086', async () => {
    const { agreements, maxDifference, meanDifference } = await agreementAndError('qwen3', true, 'int8');
    assert.ok(agreements >= 15, `top-1 agreement ${agreements}/16`);
    assert.ok(maxDifference <= 0.06, `max |Δlogit| ${maxDifference}`);
    assert.ok(meanDifference <= 0.01, `mean |Δlogit| ${meanDifference}`);
  });

  it('int8, untied (own quantized embedding): top token agrees in ≥ 15 of 16 steps; measured 15, max |Δlogit| 0.12, mean 0.025', async () => {
    const { agreements, maxDifference, meanDifference } = await agreementAndError('llama', false, 'int8');
    assert.ok(agreements >= 15, `top-1 agreement ${agreements}/16`);
    assert.ok(maxDifference <= 0.15, `max |Δlogit| ${maxDifference}`);
    assert.ok(meanDifference <= 0.03, `mean |Δlogit| ${meanDifference}`);
  });

  it('int4: runs with the expected error; measured max |Δlogit| 0.51, mean 0.10', async () => {
    const { maxDifference, meanDifference } = await agreementAndError('qwen3', true, 'int4');
    assert.ok(maxDifference <= 0.6, `max |Δlogit| ${maxDifference}`);
    assert.ok(meanDifference <= 0.12, `mean |Δlogit| ${meanDifference}`);
  });
});

describe('OnnxDecoder cache handling', () => {
  const model = testModel(decoderTestConfig('qwen2'));
  const longPrompt = Array.from({ length: 70 }, (_, i) => (i * 53 + 11) % 512);

  it('prefill in chunks of 16 (growing the cache past its first bucket) equals one chunk, then decodes alike', async () => {
    const whole = await open(model);
    const chunked = await open(model, { prefillChunkTokens: 16 });
    const a = await whole.prefill(longPrompt);
    const b = await chunked.prefill(longPrompt);
    assert.ok(maxAbsDifference(a, b) <= 1e-5, `prefill: ${maxAbsDifference(a, b)}`);
    for (const token of [5, 77, 300]) {
      const x = await whole.decode(token);
      const y = await chunked.decode(token);
      assert.ok(maxAbsDifference(x, y) <= 1e-5, `decode: ${maxAbsDifference(x, y)}`);
    }
    assert.equal(chunked.length, longPrompt.length + 3);
  });

  it('truncate then continue equals a fresh run over the same tokens', async () => {
    const rewound = await open(model);
    await rewound.prefill([...prompt, 9, 9, 9, 9]);
    await rewound.decode(123);
    rewound.truncate(prompt.length);
    assert.equal(rewound.length, prompt.length);
    const continued = await rewound.prefill([40, 41]);
    const next = await rewound.decode(42);

    const fresh = await open(model);
    const freshContinued = await fresh.prefill([...prompt, 40, 41]);
    const freshNext = await fresh.decode(42);
    assert.ok(maxAbsDifference(continued, freshContinued) <= 1e-5);
    assert.ok(maxAbsDifference(next, freshNext) <= 1e-5);
  });

  it('an aborted prefill rejects before its next chunk and keeps the chunks already run', async () => {
    const decoder = await open(model, { prefillChunkTokens: 16 });
    const controller = new AbortController();
    const running = decoder.prefill(longPrompt, controller.signal);
    controller.abort();
    await assert.rejects(running, { name: 'AbortError' });
    assert.equal(decoder.length, 16);
  });

  it('rejects token ids outside the vocabulary, and calls that overlap a running prefill', async () => {
    const decoder = await open(model, { prefillChunkTokens: 16 });
    await assert.rejects(decoder.decode(512), /token id 512 is outside the vocabulary of 512/);
    const prefill = decoder.prefill(longPrompt);
    await new Promise((resolve) => setImmediate(resolve));
    await assert.rejects(decoder.decode(2), /one prefill or decode at a time/);
    assert.throws(() => decoder.truncate(0), /cannot truncate while a prefill or decode is running/);
    await prefill;
    assert.equal(decoder.length, longPrompt.length);
  });

  it('throws ContextTooLarge past the context length', async () => {
    const decoder = await open(model, { contextLength: 16 });
    await decoder.prefill(prompt);
    await assert.rejects(
      decoder.prefill([1, 2, 3, 4, 5]),
      (error: unknown) => error instanceof EngineError && error.code === EngineErrorCode.ContextTooLarge,
    );
    assert.equal(decoder.length, prompt.length);
  });
});

describe('OnnxDecoder.create', () => {
  it('throws LoadContextTooLarge with a hint when the KV cache cannot fit the budget', async () => {
    const model = testModel(decoderTestConfig('llama'));
    // 2 layers × 2 (K, V) × 2 heads × 64 × 4 bytes = 2 KiB per position, 3 KiB with the growth margin.
    await assert.rejects(
      OnnxDecoder.create(model.source, { quantization: 'fp32', contextLength: 4096, kvBudgetBytes: 3 * 1024 * 1000 }),
      (error: unknown) => {
        assert.ok(error instanceof EngineError);
        assert.equal(error.code, EngineErrorCode.LoadContextTooLarge);
        assert.equal(error.hint, 'Choose a context of at most 1000 tokens, or close other programs to free memory.');
        return true;
      },
    );
  });
});

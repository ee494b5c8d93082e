import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertKvCacheFits, completionSequenceLength } from '../../../src/engine/onnx/kvBudget';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';

const GIB = 1024 ** 3;
/** Qwen3-0.6B: 237,568 bytes per position with float32, 62,176 with int8 (growth slack included). */
const QWEN3_06B_KV = { numLayers: 28, numKvHeads: 8, headDim: 128 };

function refusal(
  contextLength: number,
  budgetBytes: number,
  dtype: 'float32' | 'int8',
): { message: string; hint: string | undefined } {
  try {
    assertKvCacheFits(QWEN3_06B_KV, contextLength, budgetBytes, dtype);
  } catch (error) {
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, EngineErrorCode.LoadContextTooLarge);
    return { message: error.message, hint: error.hint };
  }
  assert.fail(`${contextLength} positions of ${dtype} fit ${budgetBytes} bytes`);
}

describe('assertKvCacheFits', () => {
  it('accepts a cache that fits the budget exactly', () => {
    assert.doesNotThrow(() => assertKvCacheFits(QWEN3_06B_KV, 4096, 4096 * 237_568, 'float32'));
    assert.doesNotThrow(() => assertKvCacheFits(QWEN3_06B_KV, 4096, 4096 * 62_176, 'int8'));
  });

  it('says what the context needs and what is available, and names int8 first when only it fits', () => {
    // 32,768 × 237,568 = 7.25 GiB; int8 needs 32,768 × 62,176 = 1.90 GiB; 2 GiB / 237,568 = 9,039.6 positions.
    assert.deepEqual(refusal(32_768, 2 * GIB, 'float32'), {
      message: 'A context of 32768 tokens needs 7.25 GiB of KV cache, more than the 2.00 GiB available.',
      hint: 'The 8-bit KV cache (int8) fits this context; or choose a context of at most 9039 tokens, or close other programs to free memory.',
    });
  });

  it('suggests the context that fits when int8 does not help, and a smaller model when no context fits', () => {
    // 1 GiB / 62,176 = 17,269.3 positions.
    assert.deepEqual(refusal(32_768, GIB, 'int8'), {
      message: 'A context of 32768 tokens needs 1.90 GiB of KV cache, more than the 1.00 GiB available.',
      hint: 'Choose a context of at most 17269 tokens, or close other programs to free memory.',
    });
    assert.equal(refusal(32_768, 1000, 'int8').hint, 'Close other programs to free memory, or choose a smaller model.');
    // Not one float32 position fits 100,000 bytes, one int8 position does.
    assert.equal(
      refusal(1, 100_000, 'float32').hint,
      'The 8-bit KV cache (int8) fits this context; or close other programs to free memory, or choose a smaller model.',
    );
  });
});

describe('completionSequenceLength', () => {
  const int8 = (positions: number) => positions * 62_176;

  it('takes up to 4,096 positions of what the budget leaves beside the context', () => {
    assert.equal(completionSequenceLength(QWEN3_06B_KV, 8192, int8(8192 + 6000), 'int8'), 4096);
    assert.equal(completionSequenceLength(QWEN3_06B_KV, 8192, int8(8192 + 4096), 'int8'), 4096);
    // 1,100 left: 1,088 in steps of 64.
    assert.equal(completionSequenceLength(QWEN3_06B_KV, 8192, int8(8192 + 1100), 'int8'), 1088);
    assert.equal(completionSequenceLength(QWEN3_06B_KV, 4096, 4096 * 237_568 * 2, 'float32'), 4096);
  });

  it('is never longer than the context, and none when fewer than 1,024 positions (or the context) are left', () => {
    assert.equal(completionSequenceLength(QWEN3_06B_KV, 512, int8(2048), 'int8'), 512);
    assert.equal(completionSequenceLength(QWEN3_06B_KV, 512, int8(512 + 500), 'int8'), 0);
    assert.equal(completionSequenceLength(QWEN3_06B_KV, 8192, int8(8192 + 1000), 'int8'), 0);
    assert.equal(completionSequenceLength(QWEN3_06B_KV, 8192, int8(8192), 'int8'), 0);
    assert.equal(completionSequenceLength(QWEN3_06B_KV, 8192, int8(4096), 'int8'), 0);
  });
});

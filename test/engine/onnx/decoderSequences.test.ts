/**
 * The decoder's second KV sequence (inline completions) on a real tiny model: it computes what a fresh decoder
 * computes, whatever the main sequence holds, and leaves the main sequence as it was; rows move between the two.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KvCacheDtype } from '../../../src/shared/protocol';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { materializeDecoderModel } from '../../../src/engine/onnx/decoderModel';
import { kvBytesPerToken } from '../../../src/engine/onnx/kvBudget';
import { OnnxDecoder, type DecoderSequence } from '../../../src/engine/onnx/onnxDecoder';
import { decoderOpener, decoderTestConfig, TEST_PROMPT, testModel } from './tinyDecoderSource';

const CONTEXT = 256;
const COMPLETION_POSITIONS = 128;
const open = decoderOpener({ contextLength: CONTEXT, completionLength: COMPLETION_POSITIONS, prefillChunkTokens: 16 });
const config = decoderTestConfig('qwen3');
const model = testModel(config);
/** What the main sequence holds meanwhile: longer than a prefill chunk and than the first cache bucket. */
const MAIN_PROMPT = Array.from({ length: 90 }, (_, i) => (i * 13 + 5) % config.vocabSize);

function completionsOf(decoder: OnnxDecoder): DecoderSequence {
  assert.ok(decoder.completions !== undefined, 'the decoder has a completion sequence');
  return decoder.completions;
}

for (const kvCacheDtype of ['float32', 'int8'] as KvCacheDtype[]) {
  describe(`The completion sequence (${kvCacheDtype} KV cache)`, () => {
    it('gives a prompt the logits a fresh decoder gives it, and leaves the main sequence as it was', async () => {
      const decoder = await open(model, { kvCacheDtype });
      const fresh = await open(model, { kvCacheDtype });
      const completions = completionsOf(decoder);
      assert.equal(completions.contextLength, COMPLETION_POSITIONS);

      await decoder.prefill(MAIN_PROMPT.slice(0, 60));
      const completionLogits = await completions.prefill(TEST_PROMPT);
      const decoded = await completions.decode(42);
      const mainLogits = await decoder.prefill(MAIN_PROMPT.slice(60));
      assert.equal(completions.length, TEST_PROMPT.length + 1);
      assert.equal(decoder.length, MAIN_PROMPT.length);

      // Exact: the same graph over the same rows, only bound from another buffer.
      assert.deepEqual(completionLogits, await fresh.prefill(TEST_PROMPT));
      assert.deepEqual(decoded, await fresh.decode(42));
      fresh.truncate(0);
      await fresh.prefill(MAIN_PROMPT.slice(0, 60));
      assert.deepEqual(mainLogits, await fresh.prefill(MAIN_PROMPT.slice(60)));
    });

    it('reuses its own prefix after a truncate, and takes rows copied from the main sequence', async () => {
      const decoder = await open(model, { kvCacheDtype });
      const completions = completionsOf(decoder);
      // The last token in a run of its own, as the rows appended below are followed by it.
      await decoder.prefill(MAIN_PROMPT.slice(0, -1));
      const whole = await decoder.prefill(MAIN_PROMPT.slice(-1));
      const next = await decoder.decode(7);
      decoder.truncate(MAIN_PROMPT.length);

      // Rows hold only their tokens' keys and values: valid on either sequence (the prefix cache is shared).
      completions.appendRows(decoder.copyRows(0, MAIN_PROMPT.length - 1), 0, MAIN_PROMPT.length - 1);
      assert.deepEqual(await completions.prefill(MAIN_PROMPT.slice(-1)), whole);

      completions.truncate(40);
      const reused = await completions.prefill(TEST_PROMPT);
      assert.equal(completions.copyRows(40, 40 + TEST_PROMPT.length).count, TEST_PROMPT.length);
      assert.equal(decoder.length, MAIN_PROMPT.length);
      assert.deepEqual(await decoder.decode(7), next);
      // The main sequence, holding the same first 40 rows, computes the same.
      decoder.truncate(40);
      assert.deepEqual(await decoder.prefill(TEST_PROMPT), reused);
    });
  });
}

describe('The completion sequence: its size and its end', () => {
  it('refuses more positions than it holds, leaving them as they were', async () => {
    const decoder = await open(model);
    const completions = completionsOf(decoder);
    await completions.prefill(TEST_PROMPT);
    const tooMany = Array.from({ length: COMPLETION_POSITIONS }, (_, i) => i % config.vocabSize);
    await assert.rejects(completions.prefill(tooMany), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, EngineErrorCode.ContextTooLarge);
      return true;
    });
    assert.equal(completions.length, TEST_PROMPT.length);
  });

  it('is sized from what the KV budget leaves beside the context, or left out', async () => {
    const perPosition = kvBytesPerToken(config, 'float32');
    // Room for 344 more positions beside 256: the context's 256. Room for 44: none (a context's 256 needed).

    const built = () => materializeDecoderModel(model.source, 'fp32');
    const roomy = await OnnxDecoder.load(built(), config, {
      quantization: 'fp32',
      contextLength: CONTEXT,
      threads: 1,
      kvBudgetBytes: perPosition * 600,
    });
    const tight = await OnnxDecoder.load(built(), config, {
      quantization: 'fp32',
      contextLength: CONTEXT,
      threads: 1,
      kvBudgetBytes: perPosition * 300,
    });
    try {
      assert.equal(roomy.completions?.contextLength, CONTEXT);
      assert.equal(tight.completions, undefined);
    } finally {
      await roomy.dispose();
      await tight.dispose();
    }
  });

  it('is freed with the decoder, and cannot be disposed on its own', async () => {
    const decoder = await OnnxDecoder.load(materializeDecoderModel(model.source, 'fp32'), config, {
      quantization: 'fp32',
      contextLength: CONTEXT,
      completionLength: COMPLETION_POSITIONS,
      threads: 1,
    });
    const completions = completionsOf(decoder);
    await completions.prefill(TEST_PROMPT);
    await assert.rejects(
      (completions as OnnxDecoder).dispose(),
      /^Error: dispose the decoder, not its completion sequence$/,
    );
    await decoder.dispose();
    await assert.rejects(completions.prefill([1]), /^Error: The decoder thread was disposed\.$/);
    await assert.rejects(decoder.prefill([1]), /^Error: The decoder thread was disposed\.$/);
  });
});

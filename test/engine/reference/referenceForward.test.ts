import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Architecture, ModelConfig } from '../../../src/engine/checkpoint/modelConfig';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { ReferenceModel } from './referenceForward';
import { tinyConfig, tinyRandomWeights, weightGetter } from './tinyModel';

const prompt = [3, 17, 42, 8, 8, 25, 1];
const continuation = [11, 49, 30];

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function modelFor(config: ModelConfig, weights = tinyRandomWeights(config), contextLength = 64): ReferenceModel {
  return new ReferenceModel(config, weightGetter(weights), contextLength);
}

describe('ReferenceModel', () => {
  for (const architecture of ['qwen3', 'qwen2', 'llama'] as Architecture[]) {
    it(`${architecture}: prefill then decode gives the logits of a full recompute to 1e-12`, () => {
      const config = tinyConfig(architecture);
      const weights = tinyRandomWeights(config);
      const incremental = modelFor(config, weights);
      const logits = [incremental.forward(prompt), ...continuation.map((token) => incremental.forward([token]))];
      assert.equal(incremental.length, prompt.length + continuation.length);

      for (let step = 0; step < logits.length; step++) {
        const full = modelFor(config, weights).forward([...prompt, ...continuation.slice(0, step)]);
        assert.equal(full.length, config.vocabSize);
        assert.ok(logits[step].every(Number.isFinite));
        assert.ok(
          maxAbsDifference(logits[step], full) <= 1e-12,
          `step ${step}: ${maxAbsDifference(logits[step], full)}`,
        );
      }
      // Non-degenerate: the logits change from step to step and spread out.
      assert.ok(maxAbsDifference(logits[0], logits[1]) > 1e-4);
      assert.ok(Math.max(...logits[0]) - Math.min(...logits[0]) > 1e-3);
    });
  }

  it('starts over after reset', () => {
    const model = modelFor(tinyConfig('qwen3'));
    const first = model.forward(prompt);
    model.forward(continuation);
    model.reset();
    assert.equal(model.length, 0);
    assert.deepEqual(model.forward(prompt), first);
  });

  it('qwen2 uses its q/k/v biases: with zero biases it is llama', () => {
    const qwen2 = tinyConfig('qwen2');
    const weights = tinyRandomWeights(qwen2);
    const withBias = modelFor(qwen2, weights).forward(prompt);
    const zeroBias = new Map(
      [...weights].map(([name, w]) => [name, name.endsWith('.bias') ? new Float32Array(w.length) : w]),
    );
    const qwen2ZeroBias = modelFor(qwen2, zeroBias).forward(prompt);
    const llama = modelFor(tinyConfig('llama'), weights).forward(prompt);
    assert.ok(maxAbsDifference(qwen2ZeroBias, llama) <= 1e-15);
    assert.ok(maxAbsDifference(withBias, llama) > 1e-4);
  });

  it('qwen3 normalizes q and k per head with q_norm/k_norm', () => {
    const config = tinyConfig('qwen3');
    const weights = tinyRandomWeights(config);
    const changed = new Map(weights);
    changed.set(
      'model.layers.0.self_attn.k_norm.weight',
      weights.get('model.layers.0.self_attn.k_norm.weight')!.map((v) => 2 * v),
    );
    assert.ok(
      maxAbsDifference(modelFor(config, weights).forward(prompt), modelFor(config, changed).forward(prompt)) > 1e-4,
    );
  });

  it('applies YaRN when the context exceeds the native length', () => {
    const native = tinyConfig('llama', { maxPositionEmbeddings: 16 });
    const weights = tinyRandomWeights(native);
    const plain = modelFor(native, weights, 16).forward(prompt);
    const yarn = modelFor(native, weights, 64).forward(prompt);
    assert.ok(maxAbsDifference(plain, yarn) > 1e-5);
  });

  it('refuses to run past its context length', () => {
    const model = modelFor(tinyConfig('llama'), undefined, 8);
    model.forward(prompt);
    assert.throws(
      () => model.forward(continuation),
      (error: unknown) => error instanceof EngineError && error.code === EngineErrorCode.ContextTooLarge,
    );
  });

  it('computes a one-layer, one-head model by hand', () => {
    // hidden 2, one head of 2 (inverse frequency 1: position p rotates by p radians), eps 0, no YaRN.
    const config = tinyConfig('llama', {
      hiddenSize: 2,
      numLayers: 1,
      numHeads: 1,
      numKvHeads: 1,
      headDim: 2,
      intermediateSize: 1,
      vocabSize: 2,
      rmsNormEps: 0,
    });
    const weights = new Map(
      Object.entries({
        'model.embed_tokens.weight': [1, 0, 0, 1],
        'model.layers.0.input_layernorm.weight': [1, 1],
        'model.layers.0.self_attn.q_proj.weight': [1, 0, 0, 1],
        'model.layers.0.self_attn.k_proj.weight': [1, 0, 0, 1],
        'model.layers.0.self_attn.v_proj.weight': [0, 1, 1, 0],
        'model.layers.0.self_attn.o_proj.weight': [1, 0, 0, 1],
        'model.layers.0.post_attention_layernorm.weight': [1, 1],
        'model.layers.0.mlp.gate_proj.weight': [1, 0],
        'model.layers.0.mlp.up_proj.weight': [0, 1],
        'model.layers.0.mlp.down_proj.weight': [1, 1],
        'model.norm.weight': [1, 1],
        'lm_head.weight': [1, 0, 0, 1],
      }).map(([name, values]) => [name, Float32Array.from(values)]),
    );
    const rmsNormalized = (x: number[]) => x.map((v) => v / Math.sqrt((x[0] ** 2 + x[1] ** 2) / 2));
    const afterMlp = (x: number[]) => {
      const [h0, h1] = rmsNormalized(x);
      const m = (h0 / (1 + Math.exp(-h0))) * h1;
      return [x[0] + m, x[1] + m];
    };
    const s = Math.SQRT2;

    // Token 0 = [1, 0] at position 0: h = [√2, 0]; attention sees only itself, v = swap(h) = [0, √2].
    const model = new ReferenceModel(config, weightGetter(weights), 4);
    const first = model.forward([0]);
    const expectedFirst = rmsNormalized(afterMlp([1, s]));
    assert.ok(maxAbsDifference(first, expectedFirst) <= 1e-15, `${first.join()} vs ${expectedFirst.join()}`);

    // Token 1 = [0, 1] at position 1: h = [0, √2]; q = k = rot(1 rad)·[0, √2] = [−√2 sin 1, √2 cos 1].
    // Scores /√2: with k0 = [√2, 0] → −√2 sin 1; with itself → √2. v0 = [0, √2], v1 = [√2, 0].
    const e0 = Math.exp(-s * Math.sin(1));
    const e1 = Math.exp(s);
    const [a0, a1] = [e0 / (e0 + e1), e1 / (e0 + e1)];
    const second = model.forward([1]);
    const expectedSecond = rmsNormalized(afterMlp([s * a1, 1 + s * a0]));
    assert.ok(maxAbsDifference(second, expectedSecond) <= 1e-15, `${second.join()} vs ${expectedSecond.join()}`);
  });
});

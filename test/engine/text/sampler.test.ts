import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../../src/shared/engineError';
import { Sampler } from '../../../src/engine/text/sampler';
import { MODEL_CARD_SAMPLING } from '../../../src/engine/text/samplingDefaults';
import type { SamplingParams } from '../../../src/engine/text/samplingParams';
import { SeededRandom } from '../../../src/engine/text/seededRandom';
import { referenceSample } from './samplerReference';

const QWEN3_VOCAB = 151_936;
const TOKENIZER_VOCAB = 151_669;
const NO_FILTERS: SamplingParams = {
  temperature: 1,
  topK: 0,
  topP: 1,
  minP: 0,
  presencePenalty: 0,
  repetitionPenalty: 1,
};

/** Logits shaped like a model's: noise, and unless `flat` a few strong candidates. */
function syntheticLogits(size: number, random: SeededRandom, spread = 3, flat = false): Float32Array {
  const logits = new Float32Array(size);
  for (let i = 0; i < size; i++)
    logits[i] = (random.nextFloat() + random.nextFloat() + random.nextFloat() - 1.5) * spread;
  if (!flat) for (let strong = 0; strong < 8; strong++) logits[random.nextUint32() % size] += 10 + strong;
  return logits;
}

describe('Sampler', () => {
  it('chooses exactly what a naive full-sort implementation of Hugging Face warpers chooses', () => {
    const settings: [string, SamplingParams, boolean][] = [
      ['thinking defaults', { ...MODEL_CARD_SAMPLING.thinking }, false],
      ['non-thinking defaults', { ...MODEL_CARD_SAMPLING.nonThinking }, false],
      ['min-p alone', { ...NO_FILTERS, minP: 0.05 }, false],
      ['min-p alone, flat (the window grows)', { ...NO_FILTERS, minP: 0.2 }, true],
      ['top-p alone, flat (the window grows)', { ...NO_FILTERS, topP: 0.9, temperature: 1.5 }, true],
      [
        'everything',
        { temperature: 1.3, topK: 50, topP: 0.5, minP: 0.1, presencePenalty: 0, repetitionPenalty: 1 },
        false,
      ],
      ['no filters', { ...NO_FILTERS }, false],
    ];
    const data = new SeededRandom(1);
    for (const [name, params, flat] of settings) {
      for (const [size, steps, spread] of [
        [QWEN3_VOCAB, 2, 3],
        [300, 200, 1],
      ] as const) {
        const sampler = new Sampler(params, 99, size);
        const reference = new SeededRandom(99);
        for (let step = 0; step < steps; step++) {
          const logits = syntheticLogits(size, data, spread, flat);
          const expected = referenceSample(logits, size, params, reference);
          assert.equal(sampler.sample(logits), expected, `${name}, vocabulary ${size}, step ${step}`);
        }
      }
    }
  });

  it('repeats itself exactly for the same seed and differs for another', () => {
    const run = (seed: number): number[] => {
      const data = new SeededRandom(5);
      const sampler = new Sampler(MODEL_CARD_SAMPLING.thinking, seed, TOKENIZER_VOCAB);
      return Array.from({ length: 40 }, () => sampler.sample(syntheticLogits(QWEN3_VOCAB, data, 4)));
    };
    const first = run(7);
    assert.deepEqual(run(7), first);
    assert.notDeepEqual(run(8), first);
  });

  it('draws with the probabilities left after top-p and min-p', () => {
    const probabilities = [0.5, 0.3, 0.15, 0.05];
    const logits = () => Float32Array.from(probabilities, Math.log);
    const frequencies = (params: SamplingParams, draws = 20_000): number[] => {
      const sampler = new Sampler(params, 3, probabilities.length);
      const counts = [0, 0, 0, 0];
      for (let i = 0; i < draws; i++) counts[sampler.sample(logits())]++;
      return counts.map((count) => count / draws);
    };
    // Tolerance: about four standard deviations of a frequency over 20,000 draws.
    const assertNear = (actual: number[], expected: number[]) =>
      actual.forEach((value, i) =>
        assert.ok(Math.abs(value - expected[i]) < 0.015, `${actual.join()} vs ${expected.join()}`),
      );
    assertNear(frequencies(NO_FILTERS), probabilities);
    assertNear(frequencies({ ...NO_FILTERS, topP: 0.75 }), [0.625, 0.375, 0, 0]);
    assertNear(frequencies({ ...NO_FILTERS, topP: 0.85 }), [0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0]);
    assertNear(frequencies({ ...NO_FILTERS, minP: 0.35 }), [0.625, 0.375, 0, 0]);
    assertNear(frequencies({ ...NO_FILTERS, topK: 3 }), [0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0]);
    assert.deepEqual(frequencies({ ...NO_FILTERS, topK: 1 }, 200), [1, 0, 0, 0]);
  });

  it('is greedy at temperature 0: the first of equal maxima, NaN ignored', () => {
    const sampler = new Sampler({ ...MODEL_CARD_SAMPLING.thinking, temperature: 0 }, 1, 6);
    assert.equal(sampler.sample(Float32Array.of(1, NaN, 3, 3, -Infinity, 2)), 2);
    assert.equal(sampler.sample(Float32Array.of(NaN, -5, NaN, -4, NaN, -6)), 3);
  });

  it('never chooses a padding id past the tokenizer vocabulary', () => {
    const logits = new Float32Array(QWEN3_VOCAB);
    logits[151_800] = 100;
    logits[42] = 1;
    for (const params of [{ ...NO_FILTERS, temperature: 0 }, MODEL_CARD_SAMPLING.thinking, NO_FILTERS]) {
      assert.notEqual(new Sampler(params, 1, TOKENIZER_VOCAB).sample(logits.slice()), 151_800);
    }
    assert.equal(new Sampler({ ...NO_FILTERS, temperature: 0 }, 1, TOKENIZER_VOCAB).sample(logits.slice()), 42);
  });

  it('applies the penalties before choosing, and remembers what it chose', () => {
    // Greedy makes the effect exact: token 0 leads until penalised for appearing in the prompt.
    const prompt = [0, 2];
    const repetition = new Sampler({ ...NO_FILTERS, temperature: 0, repetitionPenalty: 2 }, 1, 3, prompt);
    const logits = Float32Array.of(2, 1.5, -1);
    assert.equal(repetition.sample(logits), 1);
    assert.deepEqual([...logits], [1, 1.5, -2], 'positive logits divided, negative ones multiplied');
    const second = Float32Array.of(2, 1.9, -1);
    assert.equal(repetition.sample(second), 0, 'token 1 was generated, so it is penalised too');
    assert.deepEqual([...second], [1, Math.fround(0.95), -2]);

    const presence = new Sampler({ ...NO_FILTERS, temperature: 0, presencePenalty: 1.5 }, 1, 3, [0]);
    assert.equal(presence.sample(Float32Array.of(2, 1.5, -1)), 0, 'the prompt does not count for presence');
    const next = Float32Array.of(2, 1.5, -1);
    assert.equal(presence.sample(next), 1);
    assert.deepEqual([...next], [0.5, 1.5, -1]);
  });

  it('reports logits with nothing to choose as an internal error', () => {
    for (const params of [{ ...NO_FILTERS, temperature: 0 }, MODEL_CARD_SAMPLING.thinking, NO_FILTERS]) {
      assert.throws(
        () => new Sampler(params, 1, 3).sample(Float32Array.of(NaN, -Infinity, NaN)),
        (error: unknown) => {
          assert.ok(error instanceof EngineError);
          assert.equal(error.kind, 'InternalError');
          assert.match(error.message, /no usable logits/);
          return true;
        },
      );
    }
  });
});

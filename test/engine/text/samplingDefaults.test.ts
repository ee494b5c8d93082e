import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../../src/shared/engineError';
import { parseGenerationConfig } from '../../../src/engine/checkpoint/generationConfig';
import { QWEN3_GENERATION_CONFIG } from '../../../src/engine/synthetic/syntheticConfig';
import { defaultSampling, MODEL_CARD_SAMPLING, resolveSampling } from '../../../src/engine/text/samplingDefaults';
import { validateSamplingOverrides } from '../../../src/engine/text/samplingParams';

const generationConfig = (json: Record<string, unknown>) => parseGenerationConfig(json, 'generation_config.json');
/** Qwen3-4B (hybrid): its generation_config.json holds the thinking-mode values. */
const HYBRID = generationConfig({ ...QWEN3_GENERATION_CONFIG });
/** Qwen3-4B-Instruct-2507's generation_config.json. */
const INSTRUCT = generationConfig({
  do_sample: true,
  eos_token_id: [151645, 151643],
  temperature: 0.7,
  top_k: 20,
  top_p: 0.8,
});
const THINKING = { temperature: 0.6, topP: 0.95, topK: 20, minP: 0, presencePenalty: 0, repetitionPenalty: 1 };
const NON_THINKING = { temperature: 0.7, topP: 0.8, topK: 20, minP: 0, presencePenalty: 0, repetitionPenalty: 1 };

function assertInvalid(overrides: unknown, message: string): void {
  assert.throws(
    () => validateSamplingOverrides(overrides),
    (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.kind, 'InvalidParams');
      assert.equal(error.message, message);
      assert.equal(error.hint, "Fix or remove these settings; any left out use the model's recommended values.");
      return true;
    },
  );
}

describe('defaultSampling', () => {
  it('uses the model card values where there is no generation_config.json', () => {
    assert.deepEqual(MODEL_CARD_SAMPLING, { thinking: THINKING, nonThinking: NON_THINKING });
    assert.deepEqual(defaultSampling('hybrid', true), THINKING);
    assert.deepEqual(defaultSampling('hybrid', false), NON_THINKING);
  });

  it("takes generation_config.json's values for the mode it describes, the card's for the other", () => {
    assert.deepEqual(
      defaultSampling(
        'hybrid',
        true,
        generationConfig({ temperature: 0.5, top_k: 40, min_p: 0.05, repetition_penalty: 1.1 }),
      ),
      { temperature: 0.5, topP: 0.95, topK: 40, minP: 0.05, presencePenalty: 0, repetitionPenalty: 1.1 },
    );
    assert.deepEqual(defaultSampling('hybrid', true, HYBRID), THINKING);
    assert.deepEqual(
      defaultSampling('hybrid', false, generationConfig({ temperature: 0.5 })),
      NON_THINKING,
      'the file describes thinking mode',
    );
    assert.deepEqual(defaultSampling('instruct-2507', false, generationConfig({ temperature: 0.3, top_p: 0.9 })), {
      ...NON_THINKING,
      temperature: 0.3,
      topP: 0.9,
    });
    assert.deepEqual(defaultSampling('instruct-2507', false, INSTRUCT), NON_THINKING);
    assert.deepEqual(defaultSampling('thinking-2507', true, generationConfig({ top_k: 30 })), {
      ...THINKING,
      topK: 30,
    });
  });

  it('is never greedy by default in thinking mode, even when generation_config.json asks', () => {
    assert.equal(defaultSampling('hybrid', true, generationConfig({ do_sample: false })).temperature, 0.6);
    assert.equal(
      defaultSampling('hybrid', true, generationConfig({ do_sample: false, temperature: 0.8 })).temperature,
      0.8,
    );
    assert.equal(defaultSampling('thinking-2507', true, generationConfig({ temperature: 0 })).temperature, 0.6);
    assert.equal(
      defaultSampling('instruct-2507', false, generationConfig({ do_sample: false, temperature: 0.7 })).temperature,
      0,
      'outside thinking mode, do_sample: false means greedy',
    );
  });
});

describe('resolveSampling', () => {
  it('lays validated overrides over the defaults and keeps the seed', () => {
    assert.deepEqual(resolveSampling('hybrid', false, HYBRID, { topP: 0.5, seed: 1234 }), {
      ...NON_THINKING,
      topP: 0.5,
      seed: 1234,
    });
  });

  it('allows greedy decoding in thinking mode only when asked explicitly', () => {
    assert.deepEqual(resolveSampling('thinking-2507', true, undefined, { temperature: 0, seed: 1 }), {
      ...THINKING,
      temperature: 0,
      seed: 1,
    });
  });

  it('picks a fresh seed when none is given', () => {
    const { seed } = resolveSampling('hybrid', true, HYBRID, undefined);
    assert.ok(Number.isSafeInteger(seed) && seed >= 0);
  });
});

describe('validateSamplingOverrides', () => {
  it('accepts the edges of every range and skips undefined values', () => {
    const edges = {
      temperature: 2,
      topK: 0,
      topP: 1,
      minP: 1,
      presencePenalty: -2,
      repetitionPenalty: 2,
      seed: Number.MAX_SAFE_INTEGER,
    };
    assert.deepEqual(validateSamplingOverrides(edges), edges);
    assert.deepEqual(validateSamplingOverrides({ temperature: undefined, topK: 5 }), { topK: 5 });
    assert.deepEqual(validateSamplingOverrides(null), {});
  });

  it('lists every bad setting with what it was and what is allowed', () => {
    assertInvalid(
      { temperature: 5, topK: 1.5, topP: 0, minP: -0.1, presencePenalty: 3, repetitionPenalty: 0, seed: -1 },
      'Invalid sampling settings: temperature must be from 0 to 2, not 5; ' +
        'topK must be a whole number, 0 or more (0 disables top-k), not 1.5; ' +
        'topP must be greater than 0 and at most 1 (1 disables top-p), not 0; ' +
        'minP must be from 0 to 1, not -0.1; presencePenalty must be from -2 to 2, not 3; ' +
        'repetitionPenalty must be greater than 0 and at most 2 (1 disables it), not 0; ' +
        `seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, not -1.`,
    );
    assertInvalid({ temperature: '0.7' }, 'Invalid sampling settings: temperature must be from 0 to 2, not "0.7".');
    assertInvalid({ temperature: NaN }, 'Invalid sampling settings: temperature must be from 0 to 2, not NaN.');
  });

  it('names unknown settings, suggesting the spelling it expects', () => {
    assertInvalid(
      { top_p: 0.9, beam_width: 4 },
      'Invalid sampling settings: unknown setting "top_p" (did you mean "topP"?); unknown setting "beam_width".',
    );
    assertInvalid([0.7], 'Invalid sampling settings: sampling settings must be an object, not [0.7].');
  });
});

import type { GenerationConfig } from '../checkpoint/generationConfig';
import type { ModelKind } from '../../shared/protocol';
import { validateSamplingOverrides, type SamplingParams } from './samplingParams';
import { SeededRandom } from './seededRandom';

/** The Qwen3 model cards' recommendations, for whatever generation_config.json does not say. */
export const MODEL_CARD_SAMPLING: Readonly<Record<'thinking' | 'nonThinking', Readonly<SamplingParams>>> = {
  thinking: { temperature: 0.6, topP: 0.95, topK: 20, minP: 0, presencePenalty: 0, repetitionPenalty: 1 },
  nonThinking: { temperature: 0.7, topP: 0.8, topK: 20, minP: 0, presencePenalty: 0, repetitionPenalty: 1 },
};

/** Sampling settings for one request, with the seed that reproduces it. */
export interface ResolvedSampling extends SamplingParams {
  seed: number;
}

/**
 * A checkpoint's generation_config.json describes its native mode: thinking for hybrid Qwen3 (thinking is
 * its default) and Thinking-2507, non-thinking for Instruct-2507. In the other mode of a hybrid model its
 * values do not apply, and the model card's do.
 */
function configDescribesMode(kind: ModelKind, thinking: boolean): boolean {
  return thinking === (kind !== 'instruct-2507');
}

/**
 * The recommended settings for a mode: generation_config.json's values where it has them and describes
 * this mode, the model card's otherwise. Thinking mode is never greedy by default (the model cards warn
 * that greedy decoding makes it repeat itself endlessly), even when generation_config.json asks for it.
 */
export function defaultSampling(
  kind: ModelKind,
  thinking: boolean,
  generationConfig?: GenerationConfig,
): SamplingParams {
  const card = thinking ? MODEL_CARD_SAMPLING.thinking : MODEL_CARD_SAMPLING.nonThinking;
  if (generationConfig === undefined || !configDescribesMode(kind, thinking)) return { ...card };
  const { topK, topP, minP, repetitionPenalty } = generationConfig;
  return {
    temperature: configuredTemperature(generationConfig, card, thinking),
    topK: topK ?? card.topK,
    topP: topP ?? card.topP,
    minP: minP ?? card.minP,
    presencePenalty: card.presencePenalty,
    repetitionPenalty: repetitionPenalty ?? card.repetitionPenalty,
  };
}

function configuredTemperature(config: GenerationConfig, card: SamplingParams, thinking: boolean): number {
  const greedy = config.doSample === false || config.temperature === 0;
  if (!greedy) return config.temperature ?? card.temperature;
  if (!thinking) return 0;
  // Thinking mode samples even so: at the configured temperature when there is a usable one.
  return config.temperature !== undefined && config.temperature > 0 ? config.temperature : card.temperature;
}

/**
 * The settings a request runs with: its validated overrides over the mode's defaults. A request may ask
 * for greedy decoding (temperature 0) in thinking mode explicitly; nothing else makes it greedy there.
 * Throws EngineError(InvalidParams) for settings out of range.
 */
export function resolveSampling(
  kind: ModelKind,
  thinking: boolean,
  generationConfig: GenerationConfig | undefined,
  overrides: unknown,
): ResolvedSampling {
  const { seed, ...params } = validateSamplingOverrides(overrides);
  return { ...defaultSampling(kind, thinking, generationConfig), ...params, seed: seed ?? SeededRandom.randomSeed() };
}

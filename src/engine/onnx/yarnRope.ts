/**
 * Rotary position embeddings with static YaRN scaling, matching Hugging Face `_compute_yarn_parameters`
 * (formula in docs/architecture.md). Frequencies and angles are computed in float64: at long positions a
 * float32 angle is off by far more than the float32 tables' rounding.
 */
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import type { ModelConfig, YarnScaling } from '../checkpoint/modelConfig';

/** The YaRN corrections Hugging Face uses unless the config overrides them. */
const DEFAULT_BETA_FAST = 32;
const DEFAULT_BETA_SLOW = 1;

export type RopeConfig = Pick<ModelConfig, 'headDim' | 'ropeTheta' | 'maxPositionEmbeddings' | 'ropeScaling'>;

export interface YarnParameters {
  factor: number;
  originalMaxPositionEmbeddings: number;
  /** First frequency index that is interpolated at all (ramp > 0 above it). */
  low: number;
  /** Frequency index from which on frequencies are fully interpolated (ramp = 1). */
  high: number;
}

export interface RopeParameters {
  /** inv_i for i = 0..headDim/2−1: the angle of frequency i at position p is p·inv_i. */
  invFreq: Float64Array;
  /** Multiplies cos and sin (YaRN's attention factor), so q·k scales by its square; 1 without YaRN. */
  attentionScale: number;
  /** Present when YaRN is in effect. */
  yarn?: YarnParameters;
}

/**
 * The RoPE parameters for serving up to `contextLength` positions. YaRN is static: the checkpoint's
 * rope_scaling when it has one, otherwise only when the context exceeds the native length (see yarnScalingFor).
 */
export function ropeParameters(config: RopeConfig, contextLength: number): RopeParameters {
  const { headDim, ropeTheta: base } = config;
  if (!Number.isInteger(headDim) || headDim <= 0 || headDim % 2 !== 0) {
    throw new EngineError(EngineErrorCode.UnsupportedModel, `RoPE needs an even head_dim, got ${headDim}.`);
  }
  const half = headDim / 2;
  const invFreq = new Float64Array(half);
  const scaling = yarnScalingFor(config, contextLength);
  if (scaling === undefined) {
    for (let i = 0; i < half; i++) invFreq[i] = 1 / base ** ((2 * i) / headDim);
    return { invFreq, attentionScale: 1 };
  }

  const { factor, originalMaxPositionEmbeddings: l0, betaFast, betaSlow } = scaling;
  // The dimension index whose wavelength completes `rotations` turns over the original context.
  const correctionDim = (rotations: number) =>
    (headDim * Math.log(l0 / (2 * Math.PI * rotations))) / (2 * Math.log(base));
  const low = Math.max(Math.floor(correctionDim(betaFast)), 0);
  const high = Math.min(Math.ceil(correctionDim(betaSlow)), headDim - 1);
  const span = high === low ? high - low + 0.001 : high - low;
  for (let i = 0; i < half; i++) {
    const extrapolated = 1 / base ** ((2 * i) / headDim);
    const ramp = Math.min(Math.max((i - low) / span, 0), 1);
    invFreq[i] = (extrapolated / factor) * ramp + extrapolated * (1 - ramp);
  }
  return {
    invFreq,
    attentionScale: scaling.attentionFactor ?? defaultAttentionFactor(factor),
    yarn: { factor, originalMaxPositionEmbeddings: l0, low, high },
  };
}

/** Hugging Face `get_mscale`: no boost for factors that do not stretch the context. */
function defaultAttentionFactor(factor: number): number {
  return factor <= 1 ? 1 : 0.1 * Math.log(factor) + 1;
}

/**
 * The YaRN scaling in effect for `contextLength`. The checkpoint's own rope_scaling wins; it must cover the
 * context. Without one, a context beyond max_position_embeddings gets YaRN over that length with the smallest
 * power-of-two factor that covers it (2, 4, 8…): the factors the model cards recommend (e.g. 4 for 131,072 over
 * 32,768), and few distinct settings, so graphs and caches keyed on them are shared. Static YaRN slightly
 * changes short-context behaviour too, so a context that fits natively gets none.
 */
export function yarnScalingFor(config: RopeConfig, contextLength: number): YarnScaling | undefined {
  if (!Number.isInteger(contextLength) || contextLength <= 0) {
    throw new EngineError(
      EngineErrorCode.InvalidParams,
      `The context length must be a positive integer, got ${contextLength}.`,
    );
  }
  const native = config.maxPositionEmbeddings;
  const configured = config.ropeScaling;
  if (configured !== undefined) {
    const covered = Math.max(native, Math.floor(configured.originalMaxPositionEmbeddings * configured.factor));
    if (contextLength > covered) {
      throw new EngineError(
        EngineErrorCode.LoadContextTooLarge,
        `A context of ${contextLength} tokens exceeds the ${covered} positions this checkpoint's rope_scaling covers.`,
        `Choose a context of at most ${covered} tokens.`,
      );
    }
    return configured;
  }
  if (contextLength <= native) return undefined;
  return {
    factor: 2 ** Math.ceil(Math.log2(contextLength / native)),
    originalMaxPositionEmbeddings: native,
    betaFast: DEFAULT_BETA_FAST,
    betaSlow: DEFAULT_BETA_SLOW,
  };
}

/**
 * cos and sin of p·inv_i times the attention scale, row-major [length][headDim/2]: the cos_cache/sin_cache
 * layout of onnxruntime's RotaryEmbedding and GroupQueryAttention (non-interleaved).
 */
export function ropeCosSinTables(params: RopeParameters, length: number): { cos: Float32Array; sin: Float32Array } {
  const { invFreq, attentionScale } = params;
  const half = invFreq.length;
  const cos = new Float32Array(length * half);
  const sin = new Float32Array(length * half);
  for (let pos = 0, row = 0; pos < length; pos++, row += half) {
    for (let i = 0; i < half; i++) {
      const angle = pos * invFreq[i];
      cos[row + i] = Math.cos(angle) * attentionScale;
      sin[row + i] = Math.sin(angle) * attentionScale;
    }
  }
  return { cos, sin };
}

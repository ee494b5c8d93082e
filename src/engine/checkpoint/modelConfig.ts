/**
 * What the engine knows about a model, read from a Hugging Face checkpoint's config.json.
 * Everything is read from the checkpoint; nothing about a model family is hard-coded.
 * (The parser that produces this lives beside it: see parseModelConfig.)
 */

export type Architecture = 'qwen3' | 'qwen2' | 'llama';

/** YaRN RoPE scaling (Hugging Face `rope_scaling` with rope_type "yarn"). */
export interface YarnScaling {
  factor: number;
  originalMaxPositionEmbeddings: number;
  betaFast: number;
  betaSlow: number;
  /** Overrides the default attention factor 0.1·ln(factor)+1 when the config gives one. */
  attentionFactor?: number;
}

export interface Fp8Quantization {
  method: 'fp8';
  /** [rows, cols] of one scale block, [128, 128] for Qwen3 FP8 checkpoints. */
  weightBlockSize: [number, number];
}

export interface ModelConfig {
  architecture: Architecture;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  /** Not always hiddenSize / numHeads (Qwen3-4B: 32 × 128 ≠ 2560). */
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
  ropeScaling?: YarnScaling;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (Qwen2). */
  attentionBias: boolean;
  /** RMSNorm on q and k per head before RoPE (Qwen3). */
  qkNorm: boolean;
  quantization?: Fp8Quantization;
  bosTokenId?: number;
  eosTokenIds: number[];
}

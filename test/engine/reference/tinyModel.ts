/**
 * Tiny random models built in memory, with Hugging Face tensor names, for the reference forward and for
 * comparing the ONNX graph against it. Same seed, same weights, everywhere.
 */
import type { Architecture, ModelConfig } from '../../../src/engine/checkpoint/modelConfig';
import { SeededNormal } from '../../../src/engine/synthetic/seededNormal';

/** `length` samples of N(mean, std²) as float32, from the named stream of `seed`. */
export function randomNormal(seed: number, stream: string, length: number, std: number, mean = 0): Float32Array {
  const out = new Float32Array(length);
  new SeededNormal(seed, stream).fill(out, mean, std);
  return out;
}

/** 2 layers, hidden 64, 4 query heads sharing 2 KV heads of 16, vocabulary 50; Qwen3/Qwen2/Llama flavoured. */
export function tinyConfig(architecture: Architecture, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    architecture,
    hiddenSize: 64,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 16,
    intermediateSize: 96,
    vocabSize: 50,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    maxPositionEmbeddings: 256,
    tieWordEmbeddings: architecture === 'qwen3',
    attentionBias: architecture === 'qwen2',
    qkNorm: architecture === 'qwen3',
    eosTokenIds: [0],
    ...overrides,
  };
}

/** Every tensor the config needs, as [name, shape] in checkpoint order. */
export function tensorShapes(config: ModelConfig): [string, number[]][] {
  const { hiddenSize: hidden, numHeads, numKvHeads, headDim, intermediateSize, vocabSize } = config;
  const shapes: [string, number[]][] = [['model.embed_tokens.weight', [vocabSize, hidden]]];
  for (let layer = 0; layer < config.numLayers; layer++) {
    const p = `model.layers.${layer}`;
    shapes.push([`${p}.input_layernorm.weight`, [hidden]]);
    for (const [proj, rows] of [
      ['q', numHeads * headDim],
      ['k', numKvHeads * headDim],
      ['v', numKvHeads * headDim],
    ] as const) {
      shapes.push([`${p}.self_attn.${proj}_proj.weight`, [rows, hidden]]);
      if (config.attentionBias) shapes.push([`${p}.self_attn.${proj}_proj.bias`, [rows]]);
    }
    if (config.qkNorm)
      shapes.push([`${p}.self_attn.q_norm.weight`, [headDim]], [`${p}.self_attn.k_norm.weight`, [headDim]]);
    shapes.push(
      [`${p}.self_attn.o_proj.weight`, [hidden, numHeads * headDim]],
      [`${p}.post_attention_layernorm.weight`, [hidden]],
      [`${p}.mlp.gate_proj.weight`, [intermediateSize, hidden]],
      [`${p}.mlp.up_proj.weight`, [intermediateSize, hidden]],
      [`${p}.mlp.down_proj.weight`, [hidden, intermediateSize]],
    );
  }
  shapes.push(['model.norm.weight', [hidden]]);
  if (!config.tieWordEmbeddings) shapes.push(['lm_head.weight', [vocabSize, hidden]]);
  return shapes;
}

/**
 * Random weights like a real checkpoint's scale: linear layers and biases N(0, 0.06), embeddings N(0, 0.02),
 * norm weights 1 + N(0, 0.1). That keeps activations and greedy output non-degenerate.
 */
export function tinyRandomWeights(config: ModelConfig, seed = 1): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of tensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (name.endsWith('norm.weight')) weights.set(name, randomNormal(seed, name, size, 0.1, 1));
    else weights.set(name, randomNormal(seed, name, size, name.includes('embed_tokens') ? 0.02 : 0.06));
  }
  return weights;
}

/** A WeightGetter over a map that fails loudly on a name the model should not ask for. */
export function weightGetter(weights: ReadonlyMap<string, Float32Array>): (name: string) => Float32Array {
  return (name) => {
    const weight = weights.get(name);
    if (weight === undefined) throw new Error(`No tensor ${name}`);
    return weight;
  };
}

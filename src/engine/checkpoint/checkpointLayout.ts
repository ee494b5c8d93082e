import type { ModelConfig } from './modelConfig';

/**
 * What a tensor is for. `linear` marks the projections inside decoder layers: the ones FP8 checkpoints
 * quantize. The untied output head (`lm_head`) stays in BF16 even in FP8 checkpoints.
 */
export type TensorRole = 'embedding' | 'norm' | 'linear' | 'bias' | 'outputHead';

export interface ExpectedTensor {
  name: string;
  shape: readonly number[];
  role: TensorRole;
}

/** Name of the block scales that go with an FP8 weight (`X.weight` → `X.weight_scale_inv`). */
export function scaleInvName(weightName: string): string {
  return `${weightName}_scale_inv`;
}

/**
 * Every tensor a Qwen3 / Qwen2 / Llama checkpoint with this config must hold, with its shape, in Hugging
 * Face's names and order. Projections are [out, in], as nn.Linear stores them.
 */
export function expectedTensors(config: ModelConfig): ExpectedTensor[] {
  const { hiddenSize: hidden, headDim, intermediateSize: inter } = config;
  const qWidth = config.numHeads * headDim;
  const kvWidth = config.numKvHeads * headDim;
  const tensors: ExpectedTensor[] = [
    { name: 'model.embed_tokens.weight', shape: [config.vocabSize, hidden], role: 'embedding' },
  ];
  const add = (name: string, shape: number[], role: TensorRole): void => {
    tensors.push({ name, shape, role });
  };

  for (let layer = 0; layer < config.numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    const attention = `${prefix}.self_attn`;
    add(`${prefix}.input_layernorm.weight`, [hidden], 'norm');
    for (const [proj, width] of [
      ['q', qWidth],
      ['k', kvWidth],
      ['v', kvWidth],
    ] as const) {
      add(`${attention}.${proj}_proj.weight`, [width, hidden], 'linear');
      if (config.attentionBias) add(`${attention}.${proj}_proj.bias`, [width], 'bias');
    }
    add(`${attention}.o_proj.weight`, [hidden, qWidth], 'linear');
    if (config.qkNorm) {
      add(`${attention}.q_norm.weight`, [headDim], 'norm');
      add(`${attention}.k_norm.weight`, [headDim], 'norm');
    }
    add(`${prefix}.post_attention_layernorm.weight`, [hidden], 'norm');
    add(`${prefix}.mlp.gate_proj.weight`, [inter, hidden], 'linear');
    add(`${prefix}.mlp.up_proj.weight`, [inter, hidden], 'linear');
    add(`${prefix}.mlp.down_proj.weight`, [hidden, inter], 'linear');
  }

  add('model.norm.weight', [hidden], 'norm');
  if (!config.tieWordEmbeddings) add('lm_head.weight', [config.vocabSize, hidden], 'outputHead');
  return tensors;
}

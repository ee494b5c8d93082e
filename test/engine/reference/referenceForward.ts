/**
 * A float64 forward pass of Qwen3, Qwen2 and Llama in plain TypeScript: the yardstick the ONNX graph is
 * measured against (docs/architecture.md, tests). Written for clarity, not speed; test-only.
 *
 * Hugging Face semantics: RMSNorm x/sqrt(mean(x²)+eps)·w; Qwen3 normalizes q and k per head before RoPE;
 * RoPE in the non-interleaved (rotate_half) form with yarnRope's frequencies and attention factor on cos/sin;
 * GQA with a causal mask and scale 1/sqrt(head_dim); SiLU-gated MLP; lm_head or the tied embedding.
 */
import type { ModelConfig } from '../../../src/engine/checkpoint/modelConfig';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { ropeParameters, type RopeParameters } from '../../../src/engine/onnx/yarnRope';

/** Returns a tensor by its Hugging Face name, row-major as in the checkpoint. */
export type WeightGetter = (name: string) => Float32Array;

type Vector = Float64Array;

export function rmsNorm(x: ArrayLike<number>, weight: ArrayLike<number>, eps: number): Vector {
  let sumOfSquares = 0;
  for (let i = 0; i < x.length; i++) sumOfSquares += x[i] * x[i];
  const inverseRms = 1 / Math.sqrt(sumOfSquares / x.length + eps);
  return Float64Array.from(x, (value, i) => value * inverseRms * weight[i]);
}

/** W·x (+ bias) for W [rows][x.length]. */
function linear(weight: Float32Array, x: Vector, bias?: Float32Array): Vector {
  const cols = x.length;
  const rows = weight.length / cols;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = bias?.[r] ?? 0;
    for (let c = 0; c < cols; c++) sum += weight[r * cols + c] * x[c];
    out[r] = sum;
  }
  return out;
}

const silu = (x: number) => x / (1 + Math.exp(-x));

interface LayerCache {
  /** Post-RoPE keys and values, one [numKvHeads·headDim] vector per position. */
  keys: Vector[];
  values: Vector[];
}

export class ReferenceModel {
  private readonly rope: RopeParameters;
  private readonly weights = new Map<string, Float32Array>();
  private layers: LayerCache[] = [];

  constructor(
    private readonly config: ModelConfig,
    private readonly getWeight: WeightGetter,
    private readonly contextLength: number,
  ) {
    this.rope = ropeParameters(config, contextLength);
    this.reset();
  }

  /** Positions held in the KV cache. */
  get length(): number {
    return this.layers[0].keys.length;
  }

  reset(): void {
    this.layers = Array.from({ length: this.config.numLayers }, () => ({ keys: [], values: [] }));
  }

  /** Appends `tokenIds` to the sequence (prefill or decode) and returns the logits of its last position. */
  forward(tokenIds: readonly number[]): Float64Array {
    if (tokenIds.length === 0) throw new RangeError('forward needs at least one token');
    if (this.length + tokenIds.length > this.contextLength) {
      throw new EngineError(
        EngineErrorCode.ContextTooLarge,
        `${this.length + tokenIds.length} tokens exceed the context of ${this.contextLength}`,
      );
    }
    const { hiddenSize, vocabSize } = this.config;
    const embedding = this.weight('model.embed_tokens.weight');
    let hidden: Vector[] = tokenIds.map((id) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
        throw new RangeError(`Token id ${id} outside the vocabulary`);
      return Float64Array.from(embedding.subarray(id * hiddenSize, (id + 1) * hiddenSize));
    });
    for (let layer = 0; layer < this.config.numLayers; layer++) hidden = this.decoderLayer(layer, hidden);

    const last = rmsNorm(hidden[hidden.length - 1], this.weight('model.norm.weight'), this.config.rmsNormEps);
    return linear(this.weight(this.config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight'), last);
  }

  private decoderLayer(layer: number, hidden: Vector[]): Vector[] {
    const prefix = `model.layers.${layer}`;
    const eps = this.config.rmsNormEps;
    const cache = this.layers[layer];
    const start = cache.keys.length;
    const queries = hidden.map((x, t) => {
      const h = rmsNorm(x, this.weight(`${prefix}.input_layernorm.weight`), eps);
      const [q, k, v] = (['q', 'k', 'v'] as const).map((p) =>
        linear(this.weight(`${prefix}.self_attn.${p}_proj.weight`), h, this.bias(`${prefix}.self_attn.${p}_proj`)),
      );
      cache.keys.push(this.positioned(k, 'k', prefix, start + t));
      cache.values.push(v);
      return this.positioned(q, 'q', prefix, start + t);
    });
    // Causal: the query at position p sees keys 0..p, all of which are in the cache by now.
    return hidden.map((x, t) => {
      const attended = linear(
        this.weight(`${prefix}.self_attn.o_proj.weight`),
        this.attention(queries[t], cache, start + t),
      );
      const residual = x.map((value, i) => value + attended[i]);
      const h = rmsNorm(residual, this.weight(`${prefix}.post_attention_layernorm.weight`), eps);
      const gate = linear(this.weight(`${prefix}.mlp.gate_proj.weight`), h);
      const up = linear(this.weight(`${prefix}.mlp.up_proj.weight`), h);
      const mlp = linear(
        this.weight(`${prefix}.mlp.down_proj.weight`),
        gate.map((g, i) => silu(g) * up[i]),
      );
      return residual.map((value, i) => value + mlp[i]);
    });
  }

  /** q_norm/k_norm per head (Qwen3), then RoPE at `position`. */
  private positioned(projected: Vector, which: 'q' | 'k', prefix: string, position: number): Vector {
    const { headDim, qkNorm, rmsNormEps } = this.config;
    const half = headDim / 2;
    const out = new Float64Array(projected.length);
    for (let head = 0; head < projected.length / headDim; head++) {
      let x: ArrayLike<number> = projected.subarray(head * headDim, (head + 1) * headDim);
      if (qkNorm) x = rmsNorm(x, this.weight(`${prefix}.self_attn.${which}_norm.weight`), rmsNormEps);
      for (let i = 0; i < half; i++) {
        const angle = position * this.rope.invFreq[i];
        const cos = Math.cos(angle) * this.rope.attentionScale;
        const sin = Math.sin(angle) * this.rope.attentionScale;
        out[head * headDim + i] = x[i] * cos - x[i + half] * sin;
        out[head * headDim + i + half] = x[i + half] * cos + x[i] * sin;
      }
    }
    return out;
  }

  private attention(query: Vector, cache: LayerCache, position: number): Vector {
    const { numHeads, numKvHeads, headDim } = this.config;
    const groupSize = numHeads / numKvHeads;
    const scale = 1 / Math.sqrt(headDim);
    const out = new Float64Array(numHeads * headDim);
    for (let head = 0; head < numHeads; head++) {
      const q = head * headDim;
      const kv = Math.floor(head / groupSize) * headDim;
      const scores = new Float64Array(position + 1);
      for (let p = 0; p <= position; p++) {
        let dot = 0;
        for (let i = 0; i < headDim; i++) dot += query[q + i] * cache.keys[p][kv + i];
        scores[p] = dot * scale;
      }
      const max = scores.reduce((a, b) => Math.max(a, b), -Infinity);
      let total = 0;
      for (let p = 0; p <= position; p++) total += scores[p] = Math.exp(scores[p] - max);
      for (let p = 0; p <= position; p++) {
        for (let i = 0; i < headDim; i++) out[q + i] += (scores[p] / total) * cache.values[p][kv + i];
      }
    }
    return out;
  }

  private weight(name: string): Float32Array {
    let weight = this.weights.get(name);
    if (weight === undefined) {
      weight = this.getWeight(name);
      this.weights.set(name, weight);
    }
    return weight;
  }

  private bias(projection: string): Float32Array | undefined {
    return this.config.attentionBias ? this.weight(`${projection}.bias`) : undefined;
  }
}

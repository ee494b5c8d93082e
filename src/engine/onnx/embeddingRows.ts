/**
 * Token embeddings looked up by the engine for the graph's inputs_embeds: with tied embeddings a Gather in the
 * graph would keep all of lm_head's weight resident beside its prepacked copy; read here, a row per token, only
 * those pages are touched.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { ModelConfig } from '../checkpoint/modelConfig';
import type { StoredTensors } from './storedTensors';
import { decoderTensorPlan, linearTensorSpecs, MATMUL_NBITS_BLOCK_SIZE, type WeightFormat } from './decoderWeights';
import { matMulNBitsLayout } from './matMulNBits';

export interface EmbeddingRows {
  /** The embeddings of `tokens`, [tokens.length][hidden]. */
  rows(tokens: readonly number[]): Float32Array;
  close(): void;
}

/** Where the embedding tensors' bytes are: in memory, or at offsets of a file. */
type ByteSource = { read(name: string, offset: number, length: number): Uint8Array; close(): void };

/** Embeddings from tensors in memory (`DecoderTensor` data by name), as a model without a directory holds them. */
export function embeddingRowsFromTensors(
  config: ModelConfig,
  format: WeightFormat,
  tensor: (name: string) => Float32Array | Uint8Array,
): EmbeddingRows {
  return embeddingRows(config, format, {
    read: (name, offset, length) => {
      const data = tensor(name);
      return new Uint8Array(data.buffer, data.byteOffset + offset, length);
    },
    close: () => undefined,
  });
}

/** Embeddings read from a converted-weights file, a row at a time. */
export function embeddingRowsFromFile(config: ModelConfig, format: WeightFormat, stored: StoredTensors): EmbeddingRows {
  const fd = openSync(stored.path, 'r');
  return embeddingRows(config, format, {
    read: (name, offset, length) => {
      const bytes = new Uint8Array(length);
      const start = stored.tensor(name).offset + offset;
      for (let done = 0; done < length;) {
        const read = readSync(fd, bytes, done, length - done, start + done);
        if (read === 0) throw new RangeError(`${stored.path} ends inside tensor ${name}`);
        done += read;
      }
      return bytes;
    },
    close: () => closeSync(fd),
  });
}

function embeddingRows(config: ModelConfig, format: WeightFormat, source: ByteSource): EmbeddingRows {
  const { hiddenSize: hidden, vocabSize } = config;
  const plan = decoderTensorPlan(config, format).embedding;
  const check = (token: number) => {
    if (!Number.isInteger(token) || token < 0 || token >= vocabSize)
      throw new RangeError(`token id ${token} is outside the vocabulary of ${vocabSize}`);
  };
  if ('table' in plan) {
    return {
      rows(tokens) {
        const out = new Float32Array(tokens.length * hidden);
        tokens.forEach((token, i) => {
          check(token);
          const bytes = source.read(plan.table, token * hidden * 4, hidden * 4);
          out.set(new Float32Array(bytes.slice().buffer), i * hidden);
        });
        return out;
      },
      close: () => source.close(),
    };
  }
  // MatMulNBits rows: blocks of levels with the implied zero point, one float scale per block.
  const bits = format === 'int8' ? 8 : 4;
  const specs = linearTensorSpecs(plan.quantized, format);
  const { blocksPerRow, blockBytes } = matMulNBitsLayout(vocabSize, hidden, bits, MATMUL_NBITS_BLOCK_SIZE);
  const blockSize = (blockBytes * 8) / bits;
  const zeroPoint = 1 << (bits - 1);
  return {
    rows(tokens) {
      const out = new Float32Array(tokens.length * hidden);
      tokens.forEach((token, i) => {
        check(token);
        const levels = source.read(specs.weight.name, token * blocksPerRow * blockBytes, blocksPerRow * blockBytes);
        const scales = new Float32Array(
          source.read(specs.scales!.name, token * blocksPerRow * 4, blocksPerRow * 4).slice().buffer,
        );
        for (let k = 0; k < hidden; k++) {
          const block = Math.floor(k / blockSize);
          const inBlock = k - block * blockSize;
          const byte = levels[block * blockBytes + (bits === 8 ? inBlock : inBlock >> 1)];
          const level = bits === 8 ? byte : (byte >> ((inBlock & 1) * 4)) & 0xf;
          out[i * hidden + k] = (level - zeroPoint) * scales[block];
        }
      });
      return out;
    },
    close: () => source.close(),
  };
}

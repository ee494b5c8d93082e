/**
 * Turns a checkpoint into a loadable decoder model: converts the weights, places them (embedded, or in an
 * external data file beside the model) and serializes the graph.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { KvCacheDtype } from '../../shared/protocol';
import { writeFileAtomic } from '../base/atomicFile';
import type { ModelConfig } from '../checkpoint/modelConfig';
import { buildDecoderGraph, type TensorPlacement } from './decoderGraph';
import { convertDecoderWeights, type DecoderTensor, type WeightFormat, type WeightSource } from './decoderWeights';
import { embeddingRowsFromFile, embeddingRowsFromTensors, type EmbeddingRows } from './embeddingRows';
import { ExternalDataFile } from './externalDataFile';
import type { StoredTensors } from './storedTensors';

export const DECODER_MODEL_FILE = 'decoder.onnx';
export const DECODER_WEIGHTS_FILE = 'decoder.weights';

export interface ConversionProgress {
  tensorsDone: number;
  /** The tensor just converted. */
  name: string;
}

/** A graph to open and the token embeddings it takes as input. */
export interface DecoderModel {
  /** The model file's path, or its bytes with every weight embedded. */
  model: string | Uint8Array;
  embedding: EmbeddingRows;
}

/**
 * Converts and builds: into `directory` as `decoder.onnx` plus `decoder.weights`, or as model bytes with every
 * weight embedded (protobuf's 2 GiB limit: tests and small models). Uncached: real checkpoints go through the
 * converted-weights cache and `writeDecoderModelBeside`.
 */
export function materializeDecoderModel(
  source: WeightSource,
  format: WeightFormat,
  options: {
    directory?: string;
    onProgress?: (progress: ConversionProgress) => void;
    kvCacheDtype?: KvCacheDtype;
  } = {},
): DecoderModel {
  const placements = new Map<string, TensorPlacement>();
  const dataFile =
    options.directory === undefined ? undefined : new ExternalDataFile(join(options.directory, DECODER_WEIGHTS_FILE));
  try {
    let tensorsDone = 0;
    for (const tensor of convertDecoderWeights(source, format)) {
      placements.set(
        tensor.name,
        dataFile === undefined ? { data: tensor.data } : { external: dataFile.append(bytesOf(tensor)) },
      );
      options.onProgress?.({ tensorsDone: ++tensorsDone, name: tensor.name });
    }
  } finally {
    dataFile?.close();
  }
  const bytes = buildDecoderGraph(
    source.config,
    format,
    (name) => placementOf(placements, name),
    options.kvCacheDtype,
  ).toBytes(graphName(source.config));
  if (dataFile === undefined) {
    const embedding = embeddingRowsFromTensors(source.config, format, (name) => {
      const placement = placementOf(placements, name);
      if (!('data' in placement)) throw new Error(`tensor ${name} is not in memory`);
      return placement.data;
    });
    return { model: bytes, embedding };
  }
  const modelPath = join(options.directory!, DECODER_MODEL_FILE);
  writeGraph(modelPath, bytes);
  const stored: StoredTensors = {
    path: dataFile.path,
    tensor: (name) => {
      const placement = placementOf(placements, name);
      if (!('external' in placement)) throw new Error(`tensor ${name} is not in ${dataFile.path}`);
      return placement.external;
    },
  };
  return { model: modelPath, embedding: embeddingRowsFromFile(source.config, format, stored) };
}

/**
 * Writes the graph for tensors already stored by `convertDecoderWeights` (e.g. in the converted-weights cache)
 * beside their file, as `<file>.decoder.onnx` (`<file>.decoder-int8kv.onnx` for an int8 KV cache, so that
 * models loaded with either cache do not overwrite each other's graph), referencing them as external data;
 * returns the model's path and the embeddings, read from the same file.
 */
export function writeDecoderModelBeside(
  config: ModelConfig,
  format: WeightFormat,
  stored: StoredTensors,
  kvCacheDtype: KvCacheDtype = 'float32',
): DecoderModel {
  const location = basename(stored.path);
  const bytes = buildDecoderGraph(
    config,
    format,
    (name) => {
      const { offset, length } = stored.tensor(name);
      return { external: { location, offset, length } };
    },
    kvCacheDtype,
  ).toBytes(graphName(config));
  const modelPath = join(dirname(stored.path), `${location}.decoder${kvCacheDtype === 'int8' ? '-int8kv' : ''}.onnx`);
  writeGraph(modelPath, bytes);
  return { model: modelPath, embedding: embeddingRowsFromFile(config, format, stored) };
}

/**
 * Windows loading the same model share the cache folder: a graph is replaced whole (renamed into place), so a
 * reader never sees half of one, and only when its bytes changed, so loads of the same model write nothing.
 */
function writeGraph(path: string, bytes: Uint8Array): void {
  if (statSync(path, { throwIfNoEntry: false })?.size === bytes.length && readFileSync(path).equals(bytes)) return;
  writeFileAtomic(path, bytes);
}

function placementOf(placements: ReadonlyMap<string, TensorPlacement>, name: string): TensorPlacement {
  const placement = placements.get(name);
  if (placement === undefined)
    throw new Error(`the decoder graph needs tensor ${name}, which the conversion did not produce`);
  return placement;
}

function bytesOf(tensor: DecoderTensor): Uint8Array {
  return new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
}

function graphName(config: ModelConfig): string {
  return `${config.architecture}_decoder_${config.numLayers}x${config.hiddenSize}`;
}

/**
 * The checkpoints Hearth offers to download. Everything the engine needs to *run* a model is read from its
 * config.json once downloaded; the facts here are what a picker needs *before* the download: what it is,
 * how big it is, and enough architecture to tell whether it will fit the machine (see hardwareFit.ts).
 */
import type { ModelKind } from '../../shared/protocol';

export interface CatalogueArchitecture {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  /** Total parameters, embeddings included (what the converted weights scale with). */
  parameters: number;
}

export interface CatalogueModel {
  repo: string;
  /** One line for a picker. */
  description: string;
  kind: ModelKind;
  /**
   * Approximate download size in bytes, as the Hub listed it when the catalogue was written. Only for
   * display: the downloader checks the disk against the sizes the Hub reports at download time.
   */
  approximateDownloadBytes: number;
  /** Positions the model was trained for (config.json max_position_embeddings). */
  nativeContext: number;
  /** Positions reachable with YaRN RoPE scaling, where the model card documents it. */
  yarnContext?: number;
  architecture: CatalogueArchitecture;
}

const QWEN3_4B: CatalogueArchitecture = { numLayers: 36, numKvHeads: 8, headDim: 128, parameters: 4.02e9 };
const QWEN3_0_6B: CatalogueArchitecture = { numLayers: 28, numKvHeads: 8, headDim: 128, parameters: 0.6e9 };

export const DEFAULT_MODEL_REPO = 'Qwen/Qwen3-4B-Instruct-2507-FP8';

export const MODEL_CATALOGUE: readonly CatalogueModel[] = [
  {
    repo: DEFAULT_MODEL_REPO,
    description: 'Qwen3 4B Instruct (2507): answers directly, long context. The default.',
    kind: 'instruct-2507',
    approximateDownloadBytes: 5.2e9,
    nativeContext: 262_144,
    architecture: QWEN3_4B,
  },
  {
    repo: 'Qwen/Qwen3-4B-Thinking-2507-FP8',
    description: 'Qwen3 4B Thinking (2507): always reasons before answering; slower, better at hard problems.',
    kind: 'thinking-2507',
    approximateDownloadBytes: 5.2e9,
    nativeContext: 262_144,
    architecture: QWEN3_4B,
  },
  {
    repo: 'Qwen/Qwen3-4B-FP8',
    description: 'Qwen3 4B (hybrid): thinking on or off per request.',
    kind: 'hybrid',
    approximateDownloadBytes: 5.2e9,
    nativeContext: 40_960,
    yarnContext: 131_072,
    architecture: QWEN3_4B,
  },
  {
    repo: 'Qwen/Qwen3-0.6B-FP8',
    description: 'Qwen3 0.6B (hybrid): for small machines; much weaker answers.',
    kind: 'hybrid',
    approximateDownloadBytes: 1.0e9,
    nativeContext: 40_960,
    architecture: QWEN3_0_6B,
  },
];

export function findCatalogueModel(repo: string): CatalogueModel | undefined {
  const wanted = repo.toLowerCase();
  return MODEL_CATALOGUE.find((model) => model.repo.toLowerCase() === wanted);
}

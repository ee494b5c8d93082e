import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type ContextPackResult, type TokenCounterName } from '../../shared/protocol';
import type { EngineRequest } from '../../shared/wire/parseEngineParams';
import { estimatedTokenCounter } from './estimatedTokenCounter';
import { explainRanking } from './rankingExplanation';
import {
  RepositoryIndex,
  type FileChange,
  type IndexProgress,
  type IndexStats,
  type RepositoryIndexOptions,
  type UpdateResult,
} from './repositoryIndex';
import type { TokenCounter } from './tokenCountCache';

/**
 * The engine's one repository index: opened for the workspace roots the client names, updated from its file
 * events, packed for each question with the tokenizer of the model being served.
 */
export class ContextService {
  private current: { key: string; index: RepositoryIndex } | undefined;

  constructor(
    private readonly options: {
      cacheDir?: string;
      /** The counter a pack request names (its `tokenizer`; undefined: the served model's). */
      tokenCounter: (name?: TokenCounterName) => TokenCounter;
      /** Where a discarded cache file is reported (it is rebuilt; the log says why). */
      log?: (message: string) => void;
    },
  ) {}

  /** Indexes the roots (reusing the persisted index for unchanged files); replaces an index of other roots. */
  async index(
    request: EngineRequest<'context/index'>,
    onProgress?: (progress: IndexProgress) => void,
    signal?: AbortSignal,
  ): Promise<IndexStats> {
    const key = JSON.stringify([request.roots, request.excludes ?? [], request.maxFileBytes ?? null]);
    if (this.current?.key !== key) {
      const options: RepositoryIndexOptions = {
        roots: request.roots,
        ...(request.excludes !== undefined && { excludes: request.excludes }),
        ...(request.maxFileBytes !== undefined && { maxFileBytes: request.maxFileBytes }),
        ...(this.options.cacheDir !== undefined && { cacheDir: this.options.cacheDir }),
        onCacheDiscard: (file, reason) =>
          this.options.log?.(`rebuilding the repository index: ${file} was discarded, ${reason}`),
      };
      const index = await RepositoryIndex.open(options, onProgress, signal);
      const previous = this.current;
      this.current = { key, index };
      await previous?.index.dispose();
    }
    return this.current.index.stats;
  }

  update(changes: readonly FileChange[], signal?: AbortSignal): Promise<UpdateResult> {
    return this.requireIndex().update(changes, signal);
  }

  pack(request: EngineRequest<'context/pack'>, signal?: AbortSignal): ContextPackResult {
    const index = this.requireIndex();
    const counter = this.options.tokenCounter(request.tokenizer);
    const packed = index.pack(request, counter, signal);
    const { text, placements } = packed;
    const stats = counter === estimatedTokenCounter ? { ...packed.stats, estimated: true as const } : packed.stats;
    return request.explainRanking
      ? { text, stats, ranking: explainRanking(index, request, placements) }
      : { text, stats };
  }

  async dispose(): Promise<void> {
    await this.current?.index.dispose();
    this.current = undefined;
  }

  private requireIndex(): RepositoryIndex {
    if (!this.current)
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        'No repository is indexed yet.',
        'Send "context/index" with the workspace roots first.',
      );
    return this.current.index;
  }
}

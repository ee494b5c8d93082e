import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EngineError } from '../../shared/engineError';
import {
  DEFAULT_KV_CACHE,
  DEFAULT_QUANTIZATION,
  EngineErrorCode,
  type CatalogueEntry,
  type ModelCatalogueResult,
  type ModelDownloadProgressParams,
  type ModelDownloadResult,
  type MachineMemory,
  type ModelFitResult,
} from '../../shared/protocol';
import { localModelFit } from './localModelFit';
import { machineMemory } from './machineInfo';
import { catalogueModelFit, nativeContextOf } from './modelFit';
import type { Logger } from '../base/logger';
import { defaultCacheDir } from '../base/defaultCacheDir';
import { formatDiskSize } from './diskSpace';
import { defaultModelDir } from './downloadLayout';
import { downloadStatus, readDownloadMarker, readPendingDownload } from './downloadMarker';
import type { DownloadProgress } from './downloadProgress';
import { HuggingFaceClient } from './huggingFaceClient';
import { DEFAULT_MODEL_REPO, MODEL_CATALOGUE, type CatalogueModel } from './modelCatalogue';
import { downloadModel } from './modelDownloader';
import type { EngineRequest } from '../../shared/wire/parseEngineParams';
import type { RetryOptions } from './retryBackoff';

export interface ModelLibraryOptions {
  logger: Logger;
  /** The Hub client of each download; default HF_ENDPOINT and HF_TOKEN, read when the download starts. */
  hubClient?: () => HuggingFaceClient;
  /** Default: the machine's memory, read at each request. */
  memory?: () => MachineMemory;
  /** Where default download folders go when a request names none; default the user's cache folder. */
  cacheDir?: string;
  progressIntervalMs?: number;
  retry?: Partial<RetryOptions>;
}

/**
 * The engine's model/catalogue, model/fit and model/download endpoints: which models there are, whether they
 * fit this machine, and getting one. Requests come checked (parseEngineParams at the wire).
 */
export class ModelLibrary {
  constructor(private readonly options: ModelLibraryOptions) {}

  catalogue(request: EngineRequest<'model/catalogue'>): ModelCatalogueResult {
    const { quantization = DEFAULT_QUANTIZATION, kvCache = DEFAULT_KV_CACHE, cacheDir } = request;
    const memory = this.memory();
    const models = MODEL_CATALOGUE.map((model): CatalogueEntry => ({
      repo: model.repo,
      description: model.description,
      kind: model.kind,
      isDefault: model.repo === DEFAULT_MODEL_REPO,
      approximateDownloadBytes: model.approximateDownloadBytes,
      nativeContext: model.nativeContext,
      ...(model.yarnContext !== undefined && { yarnContext: model.yarnContext }),
      fit: catalogueModelFit(model, memory, quantization, kvCache),
      download: this.downloadFolder(model, cacheDir),
    }));
    return { memory: { ...memory }, quantization, kvCache, models };
  }

  fit(request: EngineRequest<'model/fit'>): ModelFitResult {
    const { path, quantization = DEFAULT_QUANTIZATION, kvCache = DEFAULT_KV_CACHE, contextLength } = request;
    const memory = this.memory();
    const { dir, config, plan, fit } = localModelFit(path, memory, {
      quantization,
      kvCache,
      ...(contextLength !== undefined && { contextLength }),
    });
    const marker = readDownloadMarker(dir);
    return {
      path: dir,
      nativeContext: nativeContextOf(config),
      fit,
      memory: { ...memory },
      plan,
      ...(marker !== undefined && { source: { repo: marker.repo, commit: marker.commit } }),
    };
  }

  async download(
    request: EngineRequest<'model/download'>,
    onProgress: (progress: ModelDownloadProgressParams) => void,
    signal: AbortSignal,
  ): Promise<ModelDownloadResult> {
    const { repo, revision, cacheDir, dir: requestedDir } = request;
    const dir = resolve(requestedDir ?? defaultModelDir(repo, cacheDir ?? this.cacheDir));
    const { logger } = this.options;
    let last: DownloadProgress | undefined;
    logger.info(`downloading ${repo}${revision === undefined ? '' : `@${revision}`} into ${dir}`);
    try {
      const result = await downloadModel({
        repo,
        dir,
        client: this.options.hubClient?.() ?? HuggingFaceClient.fromEnvironment(),
        onProgress: (progress) => {
          last = progress;
          onProgress(protocolProgress(repo, dir, progress));
        },
        signal,
        ...(revision !== undefined && { revision }),
        ...(this.options.progressIntervalMs !== undefined && { progressIntervalMs: this.options.progressIntervalMs }),
        ...(this.options.retry !== undefined && { retry: this.options.retry }),
      });
      logger.info(
        result.alreadyComplete
          ? `${repo} is already complete in ${dir}`
          : `downloaded ${repo} at ${result.commit.slice(0, 7)}: ${formatDiskSize(result.receivedBytes)} received`,
      );
      const { commit, totalBytes, receivedBytes, alreadyComplete } = result;
      return {
        repo,
        revision: result.revision,
        dir,
        commit,
        files: result.files.map(({ path, size }) => ({ path, size })),
        totalBytes,
        receivedBytes,
        alreadyComplete,
      };
    } catch (error) {
      if (!signal.aborted) throw error;
      const kept =
        last === undefined ? 'What was fetched is kept' : `The ${formatDiskSize(last.bytesDone)} fetched are kept`;
      logger.info(`download of ${repo} cancelled`);
      throw new EngineError(
        EngineErrorCode.Cancelled,
        `The download of ${repo} was cancelled.`,
        `${kept} in ${dir}: download it again to resume.`,
      );
    }
  }

  private get cacheDir(): string {
    return this.options.cacheDir ?? defaultCacheDir();
  }

  private memory(): MachineMemory {
    return (this.options.memory ?? machineMemory)();
  }

  private downloadFolder(model: CatalogueModel, cacheDir: string | undefined): CatalogueEntry['download'] {
    const dir = resolve(defaultModelDir(model.repo, cacheDir ?? this.cacheDir));
    const status = existsSync(dir) ? downloadStatus(dir) : 'unmanaged';
    if (status === 'complete') return { dir, state: 'complete' };
    if (status === 'unmanaged') return { dir, state: 'absent' };
    const pending = readPendingDownload(dir);
    return { dir, state: 'incomplete', ...(pending !== undefined && { revision: pending.revision }) };
  }
}

function protocolProgress(repo: string, dir: string, progress: DownloadProgress): ModelDownloadProgressParams {
  const { bytesDone, bytesTotal, bytesPerSecond, etaSeconds, filesDone, filesTotal, activeFiles } = progress;
  return {
    repo,
    dir,
    bytesDone,
    bytesTotal,
    bytesPerSecond,
    etaSeconds: etaSeconds ?? null,
    filesDone,
    filesTotal,
    activeFiles,
  };
}

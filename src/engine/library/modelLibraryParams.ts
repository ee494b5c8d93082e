/** Params of model/catalogue, model/fit and model/download, checked as they arrive off the wire. */
import { choiceUnion } from '../../shared/choiceUnion';
import {
  KV_CACHE_CHOICES,
  WEIGHT_QUANTIZATIONS,
  type ModelCatalogueParams,
  type ModelDownloadParams,
  type ModelFitParams,
} from '../../shared/protocol';
import { ParamsReader } from '../base/paramsReader';

export function parseCatalogueParams(params: unknown): ModelCatalogueParams {
  const reader = ParamsReader.of(
    params ?? {},
    'model/catalogue',
    ['quantization', 'kvCache', 'cacheDir'],
    `Send { quantization?: ${choiceUnion(WEIGHT_QUANTIZATIONS)}, kvCache?: ${choiceUnion(KV_CACHE_CHOICES)}, cacheDir? }.`,
  );
  return withoutUndefined({
    quantization: reader.optionalChoice('quantization', WEIGHT_QUANTIZATIONS),
    kvCache: reader.optionalChoice('kvCache', KV_CACHE_CHOICES),
    cacheDir: reader.optionalString('cacheDir', { nonEmpty: true }),
  });
}

export function parseFitParams(params: unknown): ModelFitParams {
  const reader = ParamsReader.of(
    params,
    'model/fit',
    ['path', 'quantization', 'kvCache', 'contextLength'],
    `Send { path, quantization?: ${choiceUnion(WEIGHT_QUANTIZATIONS)}, kvCache?: ${choiceUnion(KV_CACHE_CHOICES)}, contextLength? }.`,
  );
  return withoutUndefined({
    path: reader.string('path', { nonEmpty: true }),
    quantization: reader.optionalChoice('quantization', WEIGHT_QUANTIZATIONS),
    kvCache: reader.optionalChoice('kvCache', KV_CACHE_CHOICES),
    contextLength: reader.optionalInteger('contextLength', 1),
  });
}

export function parseDownloadParams(params: unknown): ModelDownloadParams {
  const reader = ParamsReader.of(
    params,
    'model/download',
    ['repo', 'revision', 'dir', 'cacheDir'],
    'Send { repo: "organisation/name", revision?, dir?, cacheDir? }.',
  );
  return withoutUndefined({
    repo: reader.string('repo', { nonEmpty: true, maxLength: 200 }),
    revision: reader.optionalString('revision', { nonEmpty: true }),
    dir: reader.optionalString('dir', { nonEmpty: true }),
    cacheDir: reader.optionalString('cacheDir', { nonEmpty: true }),
  });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

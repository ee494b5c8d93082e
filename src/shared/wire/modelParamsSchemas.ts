/** The params of the model methods (load, info, unload, catalogue, fit, download): each type derived from its schema. */
import * as v from 'valibot';
import { KV_CACHE_CHOICES, KV_CACHE_DTYPES, MODEL_ROLES, WEIGHT_QUANTIZATIONS } from '../protocol';
import { choice, fields, nonEmptyText, wholeNumber } from './fieldSchemas';

const machineMemory = fields({ freeBytes: wholeNumber(0), totalBytes: wholeNumber(0) });

/**
 * How a model is loaded, worked out once from one reading of the machine's memory: `model/fit` returns it for the
 * params it was asked with, and `model/load` given it uses it unchanged.
 */
const loadPlan = fields({
  /** Positions to serve. */
  contextLength: wholeNumber(1),
  /** The KV cache for them (auto settled). */
  kvCache: choice(KV_CACHE_DTYPES),
  /** What the weights and KV cache may take: the cache is checked against it, the prefix cache gets the rest. */
  kvBudgetBytes: wholeNumber(0),
  /** The reading every number here comes from. */
  memory: machineMemory,
});

export const modelLoadParams = v.pipe(
  fields({
    /** The Hugging Face checkpoint folder (config.json, tokenizer files, .safetensors). */
    path: nonEmptyText(),
    /** Default chat. Loading replaces the role's model only; the other roles keep theirs. */
    role: v.optional(choice(MODEL_ROLES)),
    /**
     * Positions to serve. Default: what fits the machine's free memory now (ModelFit.defaultContext: a power of
     * two, at most the native length and 32,768).
     */
    contextLength: v.optional(wholeNumber(1)),
    /** Default int8. */
    quantization: v.optional(choice(WEIGHT_QUANTIZATIONS)),
    /** Default auto. With no contextLength, the default context is sized for the cache auto picks. */
    kvCache: v.optional(choice(KV_CACHE_CHOICES)),
    threads: v.optional(wholeNumber(1, 1024)),
    /** Where converted weights are kept; default under the user's cache folder. */
    cacheDir: v.optional(nonEmptyText()),
    /** Most bytes KV snapshots of shared prefixes may take under `<cacheDir>/kv` (0: none kept); default 4 GiB. */
    snapshotDiskBytes: v.optional(wholeNumber(0)),
    /**
     * What model/fit returned for the same path, quantization, kvCache and contextLength: the load uses it
     * unchanged instead of reading the memory again. InvalidParams when it names another context or cache.
     */
    plan: v.optional(loadPlan),
  }),
  v.check(
    ({ plan, contextLength }) =>
      plan === undefined || contextLength === undefined || plan.contextLength === contextLength,
    (issue) => {
      const { plan, contextLength } = issue.input;
      return `plan.contextLength ${plan?.contextLength} is not the contextLength asked for (${contextLength})`;
    },
  ),
  v.check(
    ({ plan, kvCache }) =>
      plan === undefined || kvCache === undefined || kvCache === 'auto' || plan.kvCache === kvCache,
    (issue) => {
      const { plan, kvCache } = issue.input;
      return `plan.kvCache "${plan?.kvCache}" is not the kvCache asked for ("${kvCache}")`;
    },
  ),
);

/** model/info's role, default chat; the params may be left out. */
export const modelInfoParams = v.nullish(fields({ role: v.optional(choice(MODEL_ROLES), 'chat') }), {});

export const modelUnloadParams = fields({ role: choice(MODEL_ROLES) });

export const modelCatalogueParams = v.nullish(
  fields({
    /** Default int8. */
    quantization: v.optional(choice(WEIGHT_QUANTIZATIONS)),
    /** Default auto. */
    kvCache: v.optional(choice(KV_CACHE_CHOICES)),
    /** As for model/download: where the default download folders are. */
    cacheDir: v.optional(nonEmptyText()),
  }),
  {},
);

export const modelFitParams = fields({
  /** A checkpoint folder: config.json is read, the weights are not opened. */
  path: nonEmptyText(),
  /** Default int8. */
  quantization: v.optional(choice(WEIGHT_QUANTIZATIONS)),
  /** Default auto. */
  kvCache: v.optional(choice(KV_CACHE_CHOICES)),
  /** As for model/load: the plan returned is for it (default: what fits now). */
  contextLength: v.optional(wholeNumber(1)),
});

export const modelDownloadParams = fields({
  /** "organisation/name" on Hugging Face. */
  repo: nonEmptyText(200),
  /** Branch, tag or commit; default main. */
  revision: v.optional(nonEmptyText()),
  /** Default: `<cacheDir>/models/<org>--<name>`. */
  dir: v.optional(nonEmptyText()),
  /** Default: the user's cache folder (as for converted weights). */
  cacheDir: v.optional(nonEmptyText()),
});

export type MachineMemory = v.InferOutput<typeof machineMemory>;
export type LoadPlan = v.InferOutput<typeof loadPlan>;
export type ModelLoadParams = v.InferInput<typeof modelLoadParams>;
export type ModelInfoParams = v.InferInput<typeof modelInfoParams>;
export type ModelUnloadParams = v.InferInput<typeof modelUnloadParams>;
export type ModelCatalogueParams = NonNullable<v.InferInput<typeof modelCatalogueParams>>;
export type ModelFitParams = v.InferInput<typeof modelFitParams>;
export type ModelDownloadParams = v.InferInput<typeof modelDownloadParams>;

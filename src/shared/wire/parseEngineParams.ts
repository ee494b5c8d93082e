import * as v from 'valibot';
import type { EngineMethod, EngineParams } from '../protocol';
import {
  contextIndexParams,
  contextPackParams,
  contextPrefillParams,
  contextUpdateParams,
} from './contextParamsSchemas';
import { chatParams, completeParams, countTokensParams, tokenizeParams } from './generationParamsSchemas';
import { initializeParams } from './initializeParamsSchema';
import { invalidParams } from './invalidParams';
import {
  modelCatalogueParams,
  modelDownloadParams,
  modelFitParams,
  modelInfoParams,
  modelLoadParams,
  modelUnloadParams,
} from './modelParamsSchemas';
import { shapeHint } from './shapeHint';

/** The methods whose params are not void: a new one without a schema below fails to compile. */
type MethodWithParams = { [M in EngineMethod]: EngineParams<M> extends void ? never : M }[EngineMethod];

/** The schema of each engine method that takes params: the protocol's params types are derived from these. */
const ENGINE_PARAMS = {
  initialize: initializeParams,
  'model/load': modelLoadParams,
  'model/info': modelInfoParams,
  'model/unload': modelUnloadParams,
  'model/catalogue': modelCatalogueParams,
  'model/fit': modelFitParams,
  'model/download': modelDownloadParams,
  chat: chatParams,
  complete: completeParams,
  tokenize: tokenizeParams,
  countTokens: countTokensParams,
  'context/index': contextIndexParams,
  'context/update': contextUpdateParams,
  'context/pack': contextPackParams,
  'context/prefill': contextPrefillParams,
} satisfies Record<MethodWithParams, v.GenericSchema>;

export type ParamsMethod = keyof typeof ENGINE_PARAMS;
/** A method's params as the engine's services take them: checked, with the protocol's defaults filled in. */
export type EngineRequest<M extends ParamsMethod> = v.InferOutput<(typeof ENGINE_PARAMS)[M]>;

/**
 * Checks a method's params as they come off the wire (or from the CLI and the OpenAI server): the typed request,
 * or an InvalidParams EngineError naming the field and, as its hint, the shape to send.
 */
export function parseEngineParams<M extends ParamsMethod>(method: M, params: unknown): EngineRequest<M> {
  const schema: v.GenericSchema<unknown, EngineRequest<M>> = ENGINE_PARAMS[method];
  const result = v.safeParse(schema, params);
  if (result.success) return result.output;
  throw invalidParams(method, result.issues, shapeHint(schema));
}

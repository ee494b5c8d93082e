import type { ContextFileChange } from '../../shared/protocol';
import { ParamsReader } from '../base/paramsReader';
import type { ContextIndexRequest, ContextPackRequest } from './contextService';

const MAX_ROOTS = 64;
const MAX_GLOBS = 1_000;
const MAX_CHANGES = 10_000;
const MAX_OPEN_FILES = 200;

export function parseContextIndexParams(params: unknown): ContextIndexRequest {
  const reader: ParamsReader = ParamsReader.of(
    params,
    'context/index',
    ['roots', 'excludes', 'maxFileBytes'],
    'context/index takes { roots: string[], excludes?: string[], maxFileBytes?: number }.',
  );
  const roots = reader.optionalStringArray('roots', MAX_ROOTS);
  if (roots === undefined || roots.length === 0) reader.fail('"roots" must list at least one folder');
  const excludes = reader.optionalStringArray('excludes', MAX_GLOBS);
  const maxFileBytes = reader.optionalInteger('maxFileBytes', 1);
  return { roots, ...(excludes && { excludes }), ...(maxFileBytes !== undefined && { maxFileBytes }) };
}

export function parseContextUpdateParams(params: unknown): ContextFileChange[] {
  const hint =
    'context/update takes { changes: { path: string, kind: "changed" | "created" | "deleted", content?: string }[] }.';
  const reader: ParamsReader = ParamsReader.of(params, 'context/update', ['changes'], hint);
  return reader.array(
    'changes',
    (value, name) => {
      const change: ParamsReader = reader.object(name, ['path', 'kind', 'content'], value);
      const content = change.optionalString('content');
      const kind = change.optionalChoice('kind', ['changed', 'created', 'deleted'] as const);
      if (kind === undefined) change.fail(`"${change.at('kind')}" is required`);
      return { path: change.string('path', { nonEmpty: true }), kind, ...(content !== undefined && { content }) };
    },
    { maxItems: MAX_CHANGES },
  );
}

export function parseContextPackParams(params: unknown): ContextPackRequest {
  const hint =
    'context/pack takes { budget: number, format?: "qwen" | "markdown", focus?: { activeFile?, openFiles?, query? }, explainRanking?: boolean }.';
  const reader: ParamsReader = ParamsReader.of(
    params,
    'context/pack',
    ['budget', 'format', 'focus', 'explainRanking'],
    hint,
  );
  const budget = reader.optionalInteger('budget', 1);
  if (budget === undefined) reader.fail('"budget" is required');
  const format = reader.optionalChoice('format', ['qwen', 'markdown'] as const);
  const explainRanking = reader.optionalBoolean('explainRanking');
  const options = { budget, ...(format && { format }), ...(explainRanking !== undefined && { explainRanking }) };
  if (!reader.has('focus')) return options;
  const focus = reader.object('focus', ['activeFile', 'openFiles', 'query']);
  const activeFile = focus.optionalString('activeFile', { nonEmpty: true });
  const openFiles = focus.optionalStringArray('openFiles', MAX_OPEN_FILES);
  const query = focus.optionalString('query');
  return {
    ...options,
    focus: {
      ...(activeFile !== undefined && { activeFile }),
      ...(openFiles && { openFiles }),
      ...(query !== undefined && { query }),
    },
  };
}

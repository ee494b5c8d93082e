import * as v from 'valibot';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';

/** context/pack's bounds on a budget: the prefix is the overview of a block packed at it. */
const MIN_BUDGET = 256;
const MAX_BUDGET = 262_144;

const schema = v.strictObject({
  budget: v.pipe(
    v.number('budget must be a number'),
    v.integer('budget must be a whole number of tokens'),
    v.minValue(MIN_BUDGET, `budget must be at least ${MIN_BUDGET}`),
    v.maxValue(MAX_BUDGET, `budget must be at most ${MAX_BUDGET}`),
  ),
  format: v.optional(v.picklist(['qwen', 'markdown'], 'format must be "qwen" or "markdown"'), 'qwen'),
});

/** `context/prefill`'s params as checked at the wire. */
export type RepositoryPrefillRequest = v.InferOutput<typeof schema>;

/** Checks `context/prefill`'s params, or throws InvalidParams naming the first field at fault. */
export function parseRepositoryPrefillParams(params: unknown): RepositoryPrefillRequest {
  const result = v.safeParse(schema, params ?? {});
  if (result.success) return result.output;
  const [issue] = result.issues;
  const where = v.getDotPath(issue) ?? 'params';
  throw new EngineError(
    EngineErrorCode.InvalidParams,
    `Invalid context/prefill params: ${where}: ${issue.message}.`,
    'Send { budget: number, format?: "qwen" | "markdown" }, the budget and format the chat packs its block with.',
  );
}

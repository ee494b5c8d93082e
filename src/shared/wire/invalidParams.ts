import type * as v from 'valibot';
import { EngineError } from '../engineError';
import { EngineErrorCode } from '../protocol';

type Key = string | number;

/**
 * The one InvalidParams error for params a schema refused: the field by its full name ("messages[2].role") and
 * what is wrong with it. An unknown field is named first, as a misspelt one explains the field found missing.
 */
export function invalidParams(method: string, issues: readonly v.BaseIssue<unknown>[], hint: string): EngineError {
  const first = issues.find(isUnknownField) ?? issues[0];
  const { issue, path } = pinpoint(first, []);
  return new EngineError(EngineErrorCode.InvalidParams, `Invalid ${method} params: ${problem(issue, path)}.`, hint);
}

function problem(issue: v.BaseIssue<unknown>, path: readonly Key[]): string {
  const name = fieldName(path);
  if (isUnknownField(issue)) return `unknown field "${name}"`;
  if (isMissingField(issue)) return `${name} is missing`;
  if (path.length > 0) return `${name} ${issue.message}`;
  // A check across fields names them itself; anything else at the top is about the params as a whole.
  return issue.kind === 'schema' ? `the params ${issue.message}` : issue.message;
}

/** A union's error is the one of the option that got furthest in, when one did ("prompt[0].token"). */
function pinpoint(issue: v.BaseIssue<unknown>, above: readonly Key[]): { issue: v.BaseIssue<unknown>; path: Key[] } {
  const path = [...above, ...(issue.path ?? []).map((item) => item.key as Key)];
  const deepest = (issue.issues ?? [])
    .filter((inner) => (inner.path?.length ?? 0) > 0)
    .sort((a, b) => (b.path?.length ?? 0) - (a.path?.length ?? 0))[0];
  return issue.type === 'union' && deepest !== undefined ? pinpoint(deepest, path) : { issue, path };
}

function fieldName(path: readonly Key[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`)).join('');
}

function isUnknownField(issue: v.BaseIssue<unknown>): boolean {
  return issue.type === 'strict_object' && issue.expected === 'never';
}

function isMissingField(issue: v.BaseIssue<unknown>): boolean {
  return issue.type === 'strict_object' && issue.path?.at(-1)?.origin === 'key';
}

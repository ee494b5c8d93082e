/**
 * The pieces the engine's params schemas are built from. Each carries the words of its InvalidParams error
 * ("must be a whole number from 1 up, not 0"); invalidParams.ts puts the field's name in front.
 */
import * as v from 'valibot';

/** A wrong value as an error shows it: its JSON, cut short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const json = JSON.stringify(value) ?? typeof value;
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

const not =
  (what: string) =>
  (issue: v.BaseIssue<unknown>): string =>
    `${what}, not ${describeValue(issue.input)}`;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const text = () => v.string(not('must be a string'));

export const nonEmptyText = (maxLength = Infinity) =>
  v.pipe(
    text(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(maxLength, `must be at most ${maxLength} characters`),
  );

/** Stop strings, globs, paths: a list of strings none of which may be empty. */
export const nonEmptyStrings = (maxItems: number, options: { nonEmpty?: boolean } = {}) => {
  const message = not('must be a non-empty string');
  return list(v.pipe(v.string(message), v.minLength(1, message)), { maxItems, ...options });
};

export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const message = not(`must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`);
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
};

export const fraction = (max = 1) => {
  const message = not(`must be a number from 0 to ${max}`);
  return v.pipe(v.number(message), v.minValue(0, message), v.maxValue(max, message));
};

export const flag = () => v.boolean(not('must be true or false'));

export const choice = <const T extends readonly string[]>(choices: T) =>
  v.picklist(choices, not(`must be one of ${choices.map((option) => `"${option}"`).join(', ')}`));

export const list = <S extends v.GenericSchema>(item: S, options: { nonEmpty?: boolean; maxItems?: number } = {}) => {
  const { nonEmpty = false, maxItems = Infinity } = options;
  return v.pipe(
    v.array(item, not('must be an array')),
    v.minLength(nonEmpty ? 1 : 0, 'must not be empty'),
    v.maxLength(maxItems, (issue) => `may hold at most ${maxItems} items, not ${issue.input.length}`),
  );
};

/** An object with exactly these fields: arrays are refused, and so is any field it does not know. */
export const fields = <E extends v.ObjectEntries>(entries: E) => {
  const shape = v.strictObject(entries);
  return v.pipe(v.custom<v.InferInput<typeof shape>>(isPlainObject, not('must be an object')), shape);
};

/** A JSON object passed on as it is, such as a tool's parameter schema. */
export const openObject = (what: string) => v.custom<Record<string, unknown>>(isPlainObject, `must be ${what}`);

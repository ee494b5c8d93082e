import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';

/**
 * Reads a request's params off the wire, where nothing is typed: every field is checked and every unknown
 * one refused (a misspelt `max_tokens` would otherwise be ignored in silence). Failures are InvalidParams
 * naming the field, with the method's shape as the hint.
 */
export class ParamsReader {
  private constructor(
    private readonly fields: Readonly<Record<string, unknown>>,
    private readonly method: string,
    /** Where these fields sit in the params, for messages: "" or "messages[2].". */
    private readonly prefix: string,
    private readonly hint: string,
  ) {}

  /** A method's params, which must be an object holding only `known` fields. */
  static of(params: unknown, method: string, known: readonly string[], hint: string): ParamsReader {
    return ParamsReader.nested(params, method, '', known, hint);
  }

  private static nested(
    value: unknown,
    method: string,
    prefix: string,
    known: readonly string[],
    hint: string,
  ): ParamsReader {
    const where = prefix === '' ? 'the params' : prefix.slice(0, -1);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `Invalid ${method} params: ${where} must be an object, not ${describe(value)}.`,
        hint,
      );
    }
    const reader = new ParamsReader(value as Record<string, unknown>, method, prefix, hint);
    const unknown = Object.keys(value).filter((key) => !known.includes(key));
    if (unknown.length > 0)
      reader.fail(
        `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${prefix}${key}"`).join(', ')}`,
      );
    return reader;
  }

  /** A nested object (a field, or an array element with its index in `name`), read with the same rules. */
  object(name: string, known: readonly string[], value: unknown = this.fields[name]): ParamsReader {
    return ParamsReader.nested(value, this.method, `${this.prefix}${name}.`, known, this.hint);
  }

  has(name: string): boolean {
    return this.fields[name] !== undefined;
  }

  raw(name: string): unknown {
    return this.fields[name];
  }

  string(name: string, options: { nonEmpty?: boolean; maxLength?: number } = {}): string {
    const value = this.fields[name];
    if (typeof value !== 'string') this.fail(`${this.at(name)} must be a string, not ${describe(value)}`);
    if (options.nonEmpty && value === '') this.fail(`${this.at(name)} must not be empty`);
    if (options.maxLength !== undefined && value.length > options.maxLength)
      this.fail(`${this.at(name)} must be at most ${options.maxLength} characters`);
    return value;
  }

  optionalString(name: string, options: { nonEmpty?: boolean } = {}): string | undefined {
    return this.has(name) ? this.string(name, options) : undefined;
  }

  optionalInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const value = this.fields[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(
        `${this.at(name)} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, not ${describe(value)}`,
      );
    }
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.fields[name];
    if (value !== undefined && typeof value !== 'boolean')
      this.fail(`${this.at(name)} must be true or false, not ${describe(value)}`);
    return value;
  }

  optionalChoice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const value = this.fields[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(
        `${this.at(name)} must be one of ${choices.map((choice) => `"${choice}"`).join(', ')}, not ${describe(value)}`,
      );
    }
    return value as T;
  }

  /** An array, each element checked by `item` (which receives the element's name, "messages[2]", for its messages). */
  array<T>(
    name: string,
    item: (value: unknown, name: string) => T,
    options: { nonEmpty?: boolean; maxItems?: number } = {},
  ): T[] {
    const value = this.fields[name];
    if (!Array.isArray(value)) this.fail(`${this.at(name)} must be an array, not ${describe(value)}`);
    if (options.nonEmpty && value.length === 0) this.fail(`${this.at(name)} must not be empty`);
    if (options.maxItems !== undefined && value.length > options.maxItems)
      this.fail(`${this.at(name)} may hold at most ${options.maxItems} items, not ${value.length}`);
    return value.map((element, index) => item(element, `${name}[${index}]`));
  }

  /** A list of non-empty strings, or undefined when absent. */
  optionalStringArray(name: string, maxItems: number): string[] | undefined {
    if (!this.has(name)) return undefined;
    return this.array(
      name,
      (value, element) => {
        if (typeof value !== 'string' || value === '')
          this.fail(`${this.at(element)} must be a non-empty string, not ${describe(value)}`);
        return value;
      },
      { maxItems },
    );
  }

  /** A field's full name in the params: "maxTokens", "messages[2].role". */
  at(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Throws InvalidParams; `problem` names the field. */
  fail(problem: string): never {
    throw new EngineError(EngineErrorCode.InvalidParams, `Invalid ${this.method} params: ${problem}.`, this.hint);
  }
}

/** A short description of a wrong value for messages: its JSON, cut short. */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const json = JSON.stringify(value) ?? typeof value;
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

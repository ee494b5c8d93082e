import { EngineErrorCode } from '../../shared/protocol';
import { CheckpointError, UNSUPPORTED_HINT } from './checkpointError';

/** How to read one kind of JSON value: `parse` returns undefined when the value is not of this kind. */
export interface FieldKind<T> {
  expected: string;
  parse(value: unknown): T | undefined;
}

const isPositiveInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isTokenId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export const positiveInt: FieldKind<number> = {
  expected: 'a positive integer',
  parse: (v) => (isPositiveInt(v) ? v : undefined),
};
export const nonNegativeInt: FieldKind<number> = {
  expected: 'a non-negative integer',
  parse: (v) => (isTokenId(v) ? v : undefined),
};
export const positiveNumber: FieldKind<number> = {
  expected: 'a positive number',
  parse: (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined),
};
export const nonNegativeNumber: FieldKind<number> = {
  expected: 'a non-negative number',
  parse: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined),
};
export const boolean: FieldKind<boolean> = {
  expected: 'true or false',
  parse: (v) => (typeof v === 'boolean' ? v : undefined),
};
export const string: FieldKind<string> = {
  expected: 'a string',
  parse: (v) => (typeof v === 'string' ? v : undefined),
};
export const stringList: FieldKind<string[]> = {
  expected: 'an array of strings',
  parse: (v) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined),
};
export const tokenId: FieldKind<number> = {
  expected: 'a token id (a non-negative integer)',
  parse: (v) => (isTokenId(v) ? v : undefined),
};
/** `eos_token_id` and friends: one id or an array of them. */
export const tokenIds: FieldKind<number[]> = {
  expected: 'a token id or an array of token ids',
  parse: (v) => (isTokenId(v) ? [v] : Array.isArray(v) && v.every(isTokenId) ? v : undefined),
};
export const positiveIntPair: FieldKind<[number, number]> = {
  expected: 'an array of two positive integers',
  parse: (v) => (Array.isArray(v) && v.length === 2 && v.every(isPositiveInt) ? [v[0], v[1]] : undefined),
};

/**
 * Typed, validated access to the fields of one JSON object in a config file. Every failure is a
 * CheckpointError naming the file and the field's dotted path.
 */
export class ConfigFields {
  private constructor(
    private readonly json: Readonly<Record<string, unknown>>,
    readonly file: string,
    private readonly path: string,
  ) {}

  static of(json: unknown, file: string): ConfigFields {
    if (!isObject(json)) throw new CheckpointError('is not a JSON object', { file });
    return new ConfigFields(json, file, '');
  }

  keys(): string[] {
    return Object.keys(this.json);
  }

  /** The raw value; null counts as absent, as it does for Hugging Face. */
  raw(key: string): unknown {
    return this.json[key] ?? undefined;
  }

  optional<T>(key: string, kind: FieldKind<T>): T | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const parsed = kind.parse(value);
    if (parsed === undefined) this.fail(key, `must be ${kind.expected}, not ${JSON.stringify(value)}`);
    return parsed;
  }

  required<T>(key: string, kind: FieldKind<T>): T {
    const value = this.optional(key, kind);
    if (value === undefined) this.fail(key, `is required (${kind.expected})`);
    return value;
  }

  withDefault<T>(key: string, kind: FieldKind<T>, fallback: T): T {
    return this.optional(key, kind) ?? fallback;
  }

  /** A nested object, or undefined when absent. */
  object(key: string): ConfigFields | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!isObject(value)) this.fail(key, `must be an object, not ${JSON.stringify(value)}`);
    return new ConfigFields(value, this.file, this.fieldPath(key));
  }

  /** A field whose value is well formed but describes something Hearth cannot run. */
  unsupported(key: string, detail: string): never {
    throw new CheckpointError(
      detail,
      { file: this.file, field: this.fieldPath(key) },
      {
        code: EngineErrorCode.UnsupportedModel,
        hint: UNSUPPORTED_HINT,
      },
    );
  }

  fail(key: string, detail: string): never {
    throw new CheckpointError(
      detail,
      { file: this.file, field: this.fieldPath(key) },
      {
        hint: `Fix "${this.fieldPath(key)}" in ${this.file}, or download the checkpoint again.`,
      },
    );
  }

  private fieldPath(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import type * as v from 'valibot';

/** What a schema looks at, as far as a hint needs: its kind, and where its fields, choices or items are. */
interface SchemaParts {
  type: string;
  kind: string;
  pipe?: readonly SchemaParts[];
  entries?: Record<string, SchemaParts>;
  wrapped?: SchemaParts;
  options?: readonly unknown[];
  item?: SchemaParts;
}

const OPTIONAL = new Set(['optional', 'exact_optional', 'nullish']);

/**
 * The hint of an InvalidParams error, written from the method's schema so that it cannot drift from it:
 * `Send { path, role?: "chat" | "reasoning", plan?: { contextLength, … } }.`
 */
export function shapeHint(schema: v.GenericSchema): string {
  return `Send ${shape(schema) || 'no params'}.`;
}

/** The schema a pipe checks its value with, once its actions are left aside. */
function core(schema: SchemaParts): SchemaParts {
  if (OPTIONAL.has(schema.type) && schema.wrapped) return core(schema.wrapped);
  const inner = schema.pipe?.filter((item) => item.kind === 'schema').at(-1);
  return inner === undefined ? schema : core(inner);
}

/** "" when the name says enough (strings, numbers, flags, open objects). */
function shape(schema: SchemaParts): string {
  const inner = core(schema);
  if (inner.type === 'strict_object' && inner.entries) {
    const fields = Object.entries(inner.entries).map(([name, field]) => {
      const optional = OPTIONAL.has(field.type) ? '?' : '';
      const detail = shape(field);
      return `${name}${optional}${detail && `: ${detail}`}`;
    });
    return `{ ${fields.join(', ')} }`;
  }
  if (inner.type === 'picklist' && inner.options)
    return inner.options.map((option) => `"${String(option)}"`).join(' | ');
  if (inner.type === 'array' && inner.item) {
    const item = shape(inner.item);
    return item && `[${item}]`;
  }
  if (inner.type === 'union' && inner.options) {
    const options = (inner.options as SchemaParts[]).map((option) => shape(option) || core(option).type);
    return options.join(' | ');
  }
  return '';
}

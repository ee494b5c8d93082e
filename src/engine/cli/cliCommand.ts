/** One `hearth` subcommand: its name, a one-line summary, its usage text and what it does. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], signal: AbortSignal): Promise<void>;
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export function parseIntegerOption(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required.`);
    return fallback;
  }
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new UsageError(`--${name} must be an integer, not "${value}".`);
  return parsed;
}

export function parseChoice<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
  fallback?: T,
): T {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required (${choices.join(' | ')}).`);
    return fallback;
  }
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not "${value}".`);
  return value as T;
}

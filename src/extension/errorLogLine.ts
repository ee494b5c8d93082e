import { EngineError } from '../shared/engineError';

/**
 * An error as the log keeps it: what the user was shown and its cause (the engine's error kind and hint, or
 * the exception's name, stack and causes), so Show Logs beside an error leads to it.
 */
export function errorLogLine(shown: string, error: unknown): string {
  return `${shown} (${cause(error, 0)})`;
}

/** Causes followed this deep at most: a cycle or a long chain says nothing more. */
const MAX_CAUSES = 3;

function cause(error: unknown, depth: number): string {
  if (error instanceof EngineError) {
    const hint = error.hint ? `; hint: ${error.hint}` : '';
    return `${error.kind ?? `code ${error.code}`}: ${error.message}${hint}${causeOf(error, depth)}`;
  }
  if (error instanceof Error) {
    const where = error.stack
      ?.split('\n')
      .slice(1, 4)
      .map((line) => line.trim())
      .join(' ← ');
    return `${error.name}: ${error.message}${where ? ` ${where}` : ''}${causeOf(error, depth)}`;
  }
  return String(error);
}

function causeOf(error: Error, depth: number): string {
  return error.cause !== undefined && depth < MAX_CAUSES ? `; caused by ${cause(error.cause, depth + 1)}` : '';
}

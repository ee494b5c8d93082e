import { isCancellation } from '../cancellation';
import { describeError, type ErrorDescription } from '../errorDescription';

/**
 * Why the configured model cannot be served, as the user was told, until a load succeeds or the settings change.
 * A failure that no request waited for is told once: a cancellation is none, and the folder check and the load
 * that an engine start runs together fail with one error, told once.
 */
export class ModelErrorState {
  private shown: string | undefined;

  /** The error as the chat header and the status bar show it. */
  get message(): string | undefined {
    return this.shown;
  }

  /** The description to tell the user of a failure nobody waited for, or undefined when there is nothing new. */
  fail(error: unknown): ErrorDescription | undefined {
    if (isCancellation(error)) return undefined;
    const description = describeError(error);
    if (description.message === this.shown) return undefined;
    this.shown = description.message;
    return description;
  }

  /** Forgets the error (a load succeeded, the settings changed); true when there was one. */
  clear(): boolean {
    const had = this.shown !== undefined;
    this.shown = undefined;
    return had;
  }
}

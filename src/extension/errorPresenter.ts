import * as vscode from 'vscode';
import { describeError, type ErrorAction, type ErrorDescription } from './errorDescription';

const labels: Record<ErrorAction, string> = {
  openSettings: 'Open Settings',
  showLogs: 'Show Logs',
  retry: 'Retry',
  restartEngine: 'Restart',
};

/**
 * The one place where errors become UI: a notification with the actions that help (Open Settings at the
 * setting that fixes it, Show Logs, Retry), or the error line of a chat turn.
 */
export class ErrorPresenter {
  constructor(
    private readonly showLogs: () => void,
    private readonly restartEngine?: () => void,
  ) {}

  /** An error notification; `retry` adds a Retry action. */
  async show(error: unknown, retry?: () => void): Promise<void> {
    const description = describeError(error);
    const actions = description.actions.filter(
      (action) =>
        (action !== 'retry' || retry !== undefined) && (action !== 'restartEngine' || this.restartEngine !== undefined),
    );
    await this.notify(description, actions, retry);
  }

  /**
   * The error line of a chat turn. The turn offers Retry and Show Logs itself; an error that a setting fixes
   * also gets a notification with "Open Settings", which the turn cannot offer.
   */
  turnError(error: unknown): string {
    const description = describeError(error);
    if (description.setting !== undefined) void this.notify(description, ['openSettings']);
    return description.message;
  }

  private async notify(
    description: ErrorDescription,
    actions: readonly ErrorAction[],
    retry?: () => void,
  ): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      `Hearth: ${description.message}`,
      ...actions.map((action) => labels[action]),
    );
    const action = actions.find((candidate) => labels[candidate] === choice);
    switch (action) {
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', description.setting);
        return;
      case 'showLogs':
        this.showLogs();
        return;
      case 'retry':
        retry?.();
        return;
      case 'restartEngine':
        this.restartEngine?.();
        return;
      case undefined:
        return;
      default:
        return action satisfies never;
    }
  }
}

/** A notification for an error, with the actions that help. */
export function showEngineError(error: unknown, showLogs: () => void): Promise<void> {
  return new ErrorPresenter(showLogs).show(error);
}

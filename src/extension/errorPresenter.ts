import * as vscode from 'vscode';
import { describeError, FIX_ACTIONS, type ErrorAction, type ErrorDescription } from './errorDescription';
import { errorLogLine } from './errorLogLine';

const labels: Record<ErrorAction, string> = {
  selectModel: 'Select Model',
  setApiKey: 'Set API Key',
  openSettings: 'Open Settings',
  showLogs: 'Show Logs',
  retry: 'Retry',
  restartEngine: 'Restart',
};

/**
 * The one place where errors become UI: a notification with the actions that help (Select Model or Open
 * Settings for what a setting fixes, Show Logs, Retry), or the error line of a chat turn. Each is logged.
 */
export class ErrorPresenter {
  constructor(
    private readonly showLogs: () => void,
    private readonly restartEngine?: () => void,
    /** Where each error shown is written, with its cause. */
    private readonly log?: (line: string) => void,
  ) {}

  /** An error notification; `retry` adds a Retry action. */
  async show(error: unknown, retry?: () => void): Promise<void> {
    const description = describeError(error);
    this.log?.(errorLogLine(description.message, error));
    const actions = description.actions.filter(
      (action) =>
        (action !== 'retry' || retry !== undefined) && (action !== 'restartEngine' || this.restartEngine !== undefined),
    );
    await this.notify(description, actions, retry);
  }

  /**
   * The error line of a chat turn. The turn offers Retry and Show Logs itself; an error that a setting fixes
   * also gets a notification with the action that fixes it, which the turn cannot offer.
   */
  turnError(error: unknown): string {
    const description = describeError(error);
    this.log?.(errorLogLine(description.message, error));
    const fixes = description.actions.filter((action) => FIX_ACTIONS.includes(action));
    if (fixes.length > 0) void this.notify(description, fixes);
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
      case 'selectModel':
        await vscode.commands.executeCommand('hearth.selectModel');
        return;
      case 'setApiKey':
        await vscode.commands.executeCommand('hearth.setApiKey');
        return;
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

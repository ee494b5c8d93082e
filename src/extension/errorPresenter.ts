import * as vscode from 'vscode';
import { EngineError } from '../shared/engineError';

/** The one place where engine errors become UI: a message with the engine's hint and a "Show Logs" action. */
export async function showEngineError(error: unknown, showLogs: () => void): Promise<void> {
  const message = error instanceof EngineError && error.hint ? `${error.message} ${error.hint}` : error instanceof Error ? error.message : String(error);
  const choice = await vscode.window.showErrorMessage(`Hearth: ${message}`, 'Show Logs');
  if (choice === 'Show Logs') showLogs();
}

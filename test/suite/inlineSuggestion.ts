/** Asks the extension's inline provider for ghost text as VS Code does, and reads the suggestion it gives. */
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';

/** The suggestion at the end of `line`, '' for none; `explicit`: asked for by a key, not by typing. */
export async function inlineSuggestion(
  api: HearthApi,
  document: vscode.TextDocument,
  line: number,
  explicit: boolean,
  token: vscode.CancellationToken,
): Promise<string> {
  const context: vscode.InlineCompletionContext = {
    triggerKind: explicit ? vscode.InlineCompletionTriggerKind.Invoke : vscode.InlineCompletionTriggerKind.Automatic,
    selectedCompletionInfo: undefined,
  };
  const result = await api.inlineCompletions.provideInlineCompletionItems(
    document,
    document.lineAt(line).range.end,
    context,
    token,
  );
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  const text = items[0]?.insertText;
  return typeof text === 'string' ? text : (text?.value ?? '');
}

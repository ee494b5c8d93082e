import * as vscode from 'vscode';
import type { CompletionService } from './completionService';
import type { CompletionSettings } from './completionSettings';
import { completionRequestAt, refreshRepositoryAt } from './cursorPlace';
import { isSourceDocument } from './editTracker';
import type { RepositoryContext } from './repositoryContext';

/**
 * VS Code's side of inline completions, kept thin: checks the settings, turns the document and position into a
 * CompletionRequest for the CompletionService (which owns debounce, cache, prompt, request and cancellation),
 * and its answer into ghost text at the cursor.
 */
export class HearthInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly service: CompletionService,
    private readonly settings: CompletionSettings,
    private readonly repository: RepositoryContext,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (!isSourceDocument(document) || !this.settings.isOnFor(document)) return undefined;
    // With the suggest widget open VS Code wants a completion of the selected item: not ours to guess.
    if (context.selectedCompletionInfo !== undefined) return undefined;
    void refreshRepositoryAt(this.repository, document, position);

    const text = await this.service.provide(
      completionRequestAt(document, position, context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke),
      token,
    );
    if (text === undefined || token.isCancellationRequested) return undefined;
    return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
  }
}

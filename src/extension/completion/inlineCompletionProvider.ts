import * as vscode from 'vscode';
import type { CompletionRequest, CompletionService } from './completionService';
import type { CompletionSettings } from './completionSettings';
import { documentLines, isSourceDocument } from './editTracker';
import type { RepositoryContext, RepositoryFocus } from './repositoryContext';

/** Names this close to the cursor (lines) steer the repository context towards their definitions. */
const QUERY_LINES = 3;

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
    if (document.uri.scheme === 'file') void this.repository.refresh(repositoryFocusAt(document, position));

    const text = await this.service.provide(completionRequestAt(document, position, context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke), token);
    if (text === undefined || token.isCancellationRequested) return undefined;
    return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
  }
}

/** The CompletionService's view of a place in a document. */
export function completionRequestAt(document: vscode.TextDocument, position: vscode.Position, explicit: boolean): CompletionRequest {
  return {
    documentId: document.uri.toString(),
    path: vscode.workspace.asRelativePath(document.uri),
    languageId: document.languageId,
    lines: documentLines(document),
    position: { line: position.line, character: position.character },
    explicit,
  };
}

/** What the repository context is packed around: the file, the other visible files, the names near the cursor. */
export function repositoryFocusAt(document: vscode.TextDocument, position: vscode.Position): RepositoryFocus {
  return { activeFile: document.uri.fsPath, openFiles: openFiles(document), query: namesNear(document, position) };
}

function openFiles(active: vscode.TextDocument): string[] {
  return vscode.window.visibleTextEditors.map((editor) => editor.document).filter((doc) => doc !== active && doc.uri.scheme === 'file').map((doc) => doc.uri.fsPath);
}

/** Identifiers on the lines around the cursor, for the repository ranking. */
function namesNear(document: vscode.TextDocument, position: vscode.Position): string {
  const names = new Set<string>();
  const from = Math.max(0, position.line - QUERY_LINES);
  const to = Math.min(document.lineCount - 1, position.line + QUERY_LINES);
  for (let line = from; line <= to; line++) for (const name of document.lineAt(line).text.match(/[A-Za-z_$][\w$]{2,}/g) ?? []) names.add(name);
  return [...names].slice(0, 24).join(' ');
}

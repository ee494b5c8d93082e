import * as vscode from 'vscode';
import type { CompletionRequest } from './completionService';
import { documentLines } from './editTracker';
import type { RefreshOptions, RepositoryContext } from './repositoryContext';

/** Names this close to the cursor (lines) steer the repository context towards their definitions. */
const QUERY_LINES = 3;

/** The CompletionService's view of a place in a document. */
export function completionRequestAt(
  document: vscode.TextDocument,
  position: vscode.Position,
  explicit: boolean,
): CompletionRequest {
  return {
    documentId: document.uri.toString(),
    path: vscode.workspace.asRelativePath(document.uri),
    languageId: document.languageId,
    lines: documentLines(document),
    position: { line: position.line, character: position.character },
    explicit,
  };
}

/**
 * Packs the repository context around this place, the file, the other visible files and the names near the
 * cursor, when the document is a file on disk (the index holds no others). Never rejects.
 */
export function refreshRepositoryAt(
  repository: RepositoryContext,
  document: vscode.TextDocument,
  position: vscode.Position,
  options?: RefreshOptions,
): Promise<void> {
  if (document.uri.scheme !== 'file') return Promise.resolve();
  return repository.refresh(
    { activeFile: document.uri.fsPath, openFiles: openFiles(document), query: namesNear(document, position) },
    options,
  );
}

function openFiles(active: vscode.TextDocument): string[] {
  return vscode.window.visibleTextEditors
    .map((editor) => editor.document)
    .filter((doc) => doc !== active && doc.uri.scheme === 'file')
    .map((doc) => doc.uri.fsPath);
}

/** Identifiers on the lines around the cursor, for the repository ranking. */
function namesNear(document: vscode.TextDocument, position: vscode.Position): string {
  const names = new Set<string>();
  const from = Math.max(0, position.line - QUERY_LINES);
  const to = Math.min(document.lineCount - 1, position.line + QUERY_LINES);
  for (let line = from; line <= to; line++)
    for (const name of document.lineAt(line).text.match(/[A-Za-z_$][\w$]{2,}/g) ?? []) names.add(name);
  return [...names].slice(0, 24).join(' ');
}

import * as vscode from 'vscode';
import type { TextLines } from './cursorWindows';
import type { DocumentEdit } from './pendingGeneration';
import type { SnippetRing } from './snippetRing';

/** Documents whose text may go into prompts: files, not output channels, diffs or settings. */
const SOURCE_SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

export function isSourceDocument(document: vscode.TextDocument): boolean {
  return SOURCE_SCHEMES.has(document.uri.scheme);
}

export function documentLines(document: vscode.TextDocument): TextLines {
  return { lineCount: document.lineCount, line: (index) => document.lineAt(index).text };
}

/**
 * Watches the editor for the snippet ring and the generation in flight: every edit goes to `onEdit`; when the
 * user leaves a place they edited (an edit far from the last one, another file, a save), or leaves an editor, the
 * chunk around that place goes into the ring — llama.vscode's moments for picking chunks.
 */
export class EditTracker implements vscode.Disposable {
  private lastEdit: { document: vscode.TextDocument; line: number } | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly ring: SnippetRing,
    private readonly onEdit: (edit: DocumentEdit) => void,
    private readonly onSave: () => void,
    private readonly chunkLines: number,
  ) {
    let active = vscode.window.activeTextEditor;
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.changed(event)),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (active) this.capture(active.document, active.selection.active.line);
        active = editor;
      }),
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const editor of editors) {
          const visible = editor.visibleRanges[0];
          if (editor !== vscode.window.activeTextEditor && visible)
            this.capture(editor.document, Math.floor((visible.start.line + visible.end.line) / 2));
        }
      }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (this.lastEdit?.document === document) this.capture(document, this.lastEdit.line);
        this.onSave();
      }),
      vscode.workspace.onDidDeleteFiles((event) =>
        event.files.forEach((uri) => this.ring.forget(vscode.workspace.asRelativePath(uri))),
      ),
      vscode.workspace.onDidRenameFiles((event) =>
        event.files.forEach(({ oldUri }) => this.ring.forget(vscode.workspace.asRelativePath(oldUri))),
      ),
    ];
  }

  private changed(event: vscode.TextDocumentChangeEvent): void {
    const { document } = event;
    if (!isSourceDocument(document) || event.contentChanges.length === 0) return;
    const documentId = document.uri.toString();
    for (const change of event.contentChanges) {
      const { start, end } = change.range;
      this.onEdit({
        documentId,
        start: { line: start.line, character: start.character },
        end: { line: end.line, character: end.character },
        text: change.text,
      });
    }
    const line = event.contentChanges[0].range.start.line;
    const last = this.lastEdit;
    if (last && (last.document !== document || Math.abs(last.line - line) > this.chunkLines / 2))
      this.capture(last.document, last.line);
    this.lastEdit = { document, line };
  }

  private capture(document: vscode.TextDocument, line: number): void {
    if (!isSourceDocument(document) || document.isClosed || line >= document.lineCount) return;
    const chunk = this.ring.chunkAround(vscode.workspace.asRelativePath(document.uri), documentLines(document), line);
    if (chunk) this.ring.add(chunk);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

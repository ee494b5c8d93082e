import * as vscode from 'vscode';

/** Streamed text is written at most this often: one edit per batch keeps the editor and undo stack calm. */
const FLUSH_MS = 150;

/**
 * An untitled Markdown document beside the editor that text streams into: appended in batches, one edit at
 * a time. Closing the document ends the stream (`closed`), so the caller can stop generating.
 */
export class MarkdownStream implements vscode.Disposable {
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  /** Fires when the user closes the document. */
  readonly onDidClose = this.closeEmitter.event;
  private readonly subscription: vscode.Disposable;

  private constructor(readonly document: vscode.TextDocument) {
    this.subscription = vscode.workspace.onDidCloseTextDocument((closed) => {
      if (closed === document) this.closeEmitter.fire();
    });
  }

  /** Opens the document in one editor: beside the active editor when there is one, else in the active group. */
  static async open(initialText: string): Promise<MarkdownStream> {
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: initialText });
    const viewColumn = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    await vscode.window.showTextDocument(document, { viewColumn, preview: false });
    return new MarkdownStream(document);
  }

  append(text: string): void {
    if (text === '') return;
    this.buffer += text;
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is buffered; resolves when every write so far is in the document. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.buffer;
    this.buffer = '';
    if (text !== '') this.writing = this.writing.then(() => this.write(text));
    return this.writing;
  }

  private async write(text: string): Promise<void> {
    if (this.document.isClosed) return;
    const end = this.document.lineAt(this.document.lineCount - 1).range.end;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(this.document.uri, end, text);
    await vscode.workspace.applyEdit(edit);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.closeEmitter.dispose();
  }
}

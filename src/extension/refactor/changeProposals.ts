import { basename } from 'node:path';
import * as vscode from 'vscode';
import { withLineEnding } from '../lineBreaks';

const SCHEME = 'hearth-proposal';

interface Proposal {
  id: number;
  document: vscode.TextDocument;
  /** The document version the edit was computed against. */
  version: number;
  range: vscode.Range;
  newText: string;
  /** The whole proposed file, shown on the right of the diff. */
  proposedText: string;
  uri: vscode.Uri;
}

/**
 * A proposed edit shown as a diff (the file on the left, the file with the change on the right) that changes
 * nothing until the user accepts it: from the notification, the diff's title bar or the commands
 * `hearth.acceptChange` / `hearth.rejectChange`. Accepting applies one WorkspaceEdit, so one Undo reverts it.
 * One proposal at a time: a new one replaces the last.
 */
export class ChangeProposals implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private pending: Proposal | undefined;
  private nextId = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      this.changeEmitter,
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      vscode.commands.registerCommand('hearth.acceptChange', () => this.accept()),
      vscode.commands.registerCommand('hearth.rejectChange', () => this.reject()),
      // Closing the diff without deciding rejects the proposal.
      vscode.window.tabGroups.onDidChangeTabs(({ closed }) => {
        const pending = this.pending;
        if (pending && closed.some((tab) => isDiffOf(tab, pending.uri))) void this.discard(pending);
      }),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.pending?.uri.toString() === uri.toString() ? this.pending.proposedText : '';
  }

  /**
   * Shows the diff of `range` replaced by `newText` in `document` and asks to accept or reject it. `newText`
   * takes the document's line ending, whatever it had: an editor normalizes line breaks on edit, so text that
   * kept others would not be what the diff showed. Returns the text proposed.
   */
  async propose(document: vscode.TextDocument, range: vscode.Range, text: string, what: string): Promise<string> {
    const newText = withLineEnding(text, document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n');
    if (this.pending) await this.discard(this.pending);
    const current = document.getText();
    const proposedText =
      current.slice(0, document.offsetAt(range.start)) + newText + current.slice(document.offsetAt(range.end));
    const id = ++this.nextId;
    // The path keeps the file's name and extension, so the diff highlights the right language.
    const uri = vscode.Uri.from({ scheme: SCHEME, path: document.uri.path, query: `proposal=${id}` });
    const proposal: Proposal = { id, document, version: document.version, range, newText, proposedText, uri };
    this.pending = proposal;
    await vscode.commands.executeCommand('setContext', 'hearth.proposalPending', true);
    const name = basename(document.uri.path);
    await vscode.commands.executeCommand('vscode.diff', document.uri, uri, `${name} ↔ Hearth's proposal`, {
      preview: false,
    });
    void this.ask(proposal, `Hearth proposes a change to ${name} (${what}). Review the diff.`);
    return newText;
  }

  /** Applies the pending proposal; false when there is none or its file changed since. */
  async accept(): Promise<boolean> {
    const proposal = this.pending;
    if (!proposal) {
      void vscode.window.showInformationMessage('Hearth: there is no proposed change to accept.');
      return false;
    }
    await this.discard(proposal);
    if (proposal.document.isClosed || proposal.document.version !== proposal.version) {
      void vscode.window.showWarningMessage(
        `Hearth: ${basename(proposal.document.uri.path)} changed after the proposal was made, so it was not applied. Ask again.`,
      );
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(proposal.document.uri, proposal.range, proposal.newText);
    const applied = await vscode.workspace.applyEdit(edit);
    if (applied) await vscode.window.showTextDocument(proposal.document, { preview: false });
    return applied;
  }

  async reject(): Promise<void> {
    if (this.pending) await this.discard(this.pending);
  }

  private async ask(proposal: Proposal, message: string): Promise<void> {
    const choice = await vscode.window.showInformationMessage(message, 'Accept', 'Reject');
    if (this.pending !== proposal) return; // decided elsewhere, or replaced
    if (choice === 'Accept') await this.accept();
    else if (choice === 'Reject') await this.reject();
  }

  /** Forgets the proposal and closes its diff. */
  private async discard(proposal: Proposal): Promise<void> {
    if (this.pending === proposal) this.pending = undefined;
    await vscode.commands.executeCommand('setContext', 'hearth.proposalPending', this.pending !== undefined);
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => isDiffOf(tab, proposal.uri));
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

function isDiffOf(tab: vscode.Tab, uri: vscode.Uri): boolean {
  return tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === uri.toString();
}

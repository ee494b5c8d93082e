import * as vscode from 'vscode';
import { targetEditor } from '../context/editorFocus';
import type { ChangeProposals } from '../refactor/changeProposals';
import { planApply, type ApplyMode } from '../refactor/editPlan';

const applyLabels: Record<ApplyMode, string> = {
  selection: 'replaces the selection',
  file: 'replaces the file',
  cursor: 'inserted at the cursor',
};

/** The buttons on a code block in a chat answer: Copy, Insert at cursor, Apply (as a diff to accept). */
export class CodeActions {
  constructor(private readonly proposals: ChangeProposals) {}

  async copy(code: string): Promise<void> {
    await vscode.env.clipboard.writeText(code);
    vscode.window.setStatusBarMessage('$(check) Hearth: code copied', 2_000);
  }

  /** One edit in the active editor: the code in place of the selection, or at the cursor. */
  async insert(code: string): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    const selections = editor.selections;
    await editor.edit((builder) => selections.forEach((selection) => builder.replace(selection, code)));
  }

  /** Proposes the code as a change to the active file, shown as a diff; nothing changes until it is accepted. */
  async apply(code: string): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    const { document, selection } = editor;
    const plan = planApply({
      text: document.getText(),
      selection: { start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) },
      code,
    });
    const range = new vscode.Range(document.positionAt(plan.start), document.positionAt(plan.end));
    await this.proposals.propose(document, range, plan.newText, `code from the chat, ${applyLabels[plan.mode]}`);
  }

  private editor(): vscode.TextEditor | undefined {
    const editor = targetEditor();
    if (!editor)
      void vscode.window.showInformationMessage('Hearth: open a file in an editor first; the code goes there.');
    return editor;
  }
}

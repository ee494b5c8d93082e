import * as vscode from 'vscode';
import type { FinishReason } from '../../shared/protocol';
import { CancelledError, isCancellation, raceCancellation } from '../cancellation';
import { lineRange, type SelectionQuote } from '../chat/chatMessages';
import { chatModelKind } from '../chat/chatRequestBuilder';
import type { ChatStream } from '../chat/chatStream';
import { selectionQuote } from '../context/editorFocus';
import type { WorkspaceContext } from '../context/workspaceContext';
import type { ErrorPresenter } from '../errorPresenter';
import type { ModelRoleSource } from '../model/modelSource';
import type { ChangeProposals } from './changeProposals';
import { replacementFor } from './editPlan';
import { refactorMessages, replacementCode } from './refactorPrompt';

/** How much of the reasoning the progress notification shows as it streams (all of it goes to the output). */
const REASONING_TAIL = 80;

/** What the command returns (for tests and other extensions): the code the model gave and the text proposed. */
export interface RefactorOutcome {
  code: string;
  newText: string;
  finishReason: FinishReason;
}

export interface RefactorArgs {
  /** What to change; asked in an input box when absent. */
  instruction?: string;
}

/**
 * "Hearth: Refactor Selection…": asks what to change, has the model think it through with the repository as
 * context (its reasoning streams into the "Hearth Reasoning" output), and proposes the replacement of the
 * selection as a diff to accept or reject.
 */
export class RefactorCommand implements vscode.Disposable {
  private readonly reasoning = vscode.window.createOutputChannel('Hearth Reasoning');

  constructor(
    private readonly models: Pick<ModelRoleSource, 'sessionFor'>,
    private readonly workspace: WorkspaceContext,
    private readonly stream: ChatStream,
    private readonly proposals: ChangeProposals,
    private readonly errors: ErrorPresenter,
  ) {}

  async run(args: RefactorArgs = {}): Promise<RefactorOutcome | undefined> {
    const editor = vscode.window.activeTextEditor;
    const target = selectionQuote(editor);
    if (!editor || !target) {
      void vscode.window.showInformationMessage('Hearth: select the code to refactor first.');
      return undefined;
    }
    const instruction =
      args.instruction ??
      (await vscode.window.showInputBox({
        title: 'Hearth: Refactor Selection',
        prompt: 'What should change in the selected code?',
        placeHolder: 'e.g. extract the loop body into a function',
        ignoreFocusOut: true,
      }));
    if (instruction === undefined || instruction.trim() === '') return undefined;
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Hearth: refactoring', cancellable: true },
        async (progress, token) => {
          try {
            return await this.refactor(editor, target, instruction, progress, token);
          } catch (error) {
            if (isCancellation(error, token)) return undefined;
            throw error;
          }
        },
      );
    } catch (error) {
      void this.errors.show(error, () => void this.run({ instruction }));
      return undefined;
    }
  }

  private async refactor(
    { document, selection }: vscode.TextEditor,
    target: SelectionQuote,
    instruction: string,
    progress: vscode.Progress<{ message?: string }>,
    token: vscode.CancellationToken,
  ): Promise<RefactorOutcome> {
    const version = document.version;
    progress.report({ message: 'loading the model…' });
    // The reasoning model when one is configured (e.g. Thinking-2507), else the chat model in thinking mode.
    const session = this.models.sessionFor('reasoning');
    const model = await raceCancellation(session.ensureLoaded(), token);
    if (chatModelKind(model) === 'instruct-2507')
      void vscode.window.showInformationMessage('Hearth: this model cannot think; proceeding without thinking.');
    progress.report({ message: 'packing the repository…' });
    const block = this.workspace.hasFolders
      ? await this.workspace.pack(
          {
            budget: this.workspace.budgetFor(model),
            format: 'markdown',
            focus: { activeFile: document.uri.fsPath, query: instruction },
          },
          token,
        )
      : undefined;
    this.reasoning.clear();
    this.reasoning.appendLine(
      `Refactoring ${target.path}, ${lineRange(target.startLine, target.endLine)}: ${instruction}\n`,
    );
    let thought = '';
    progress.report({ message: 'reading the repository…' });
    const result = await this.stream.run(
      { messages: refactorMessages(block?.text ?? '', target, instruction), thinking: 'on', model: session.role },
      ({ reasoning, content }) => {
        if (reasoning) {
          if (thought === '') this.reasoning.show(true);
          thought += reasoning;
          this.reasoning.append(reasoning);
          progress.report({ message: `thinking: …${thought.slice(-REASONING_TAIL).replace(/\s+/g, ' ')}` });
        }
        if (content) progress.report({ message: 'writing the change…' });
      },
      token,
    );
    if (result.finishReason === 'cancelled') throw new CancelledError();
    const code = replacementCode(result.content);
    if (code === undefined)
      throw new Error('The model returned no code for the selection. Try again, or say more about the change.');
    if (document.version !== version)
      throw new Error(`${target.path} changed while the model was working, so the change was not proposed. Ask again.`);
    const replacement = replacementFor(
      document.getText(),
      { start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) },
      code,
    );
    const newText = await this.proposals.propose(
      document,
      new vscode.Range(selection.start, selection.end),
      replacement.newText,
      `refactor: ${instruction.trim()}`,
    );
    return { code, newText, finishReason: result.finishReason };
  }

  dispose(): void {
    this.reasoning.dispose();
  }
}

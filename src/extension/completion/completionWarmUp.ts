import * as vscode from 'vscode';
import type { CompletionService } from './completionService';
import { CompletionSettings } from './completionSettings';
import { completionRequestAt, refreshRepositoryAt } from './cursorPlace';
import { isSourceDocument } from './editTracker';
import type { RepositoryContext } from './repositoryContext';

/** Quiet time after the cursor arrives before its prompt goes ahead: flipping through files sends nothing. */
const WARM_UP_DELAY_MS = 1000;

interface Place {
  readonly document: vscode.TextDocument;
  readonly line: number;
}

/**
 * Sends the prompt at the cursor ahead of the first keystroke there (CompletionService.warm) once the cursor rests
 * on a line not warm yet, so that keystroke is answered from the prefix cache rather than a whole prefill. An edit,
 * another line or another file cancels it (what it computed stays cached); a move along its line does not.
 */
export class CompletionWarmUp implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private running: (Place & { source: vscode.CancellationTokenSource }) | undefined;
  /**
   * Where the cache is warm: the place of the last warm-up that ran to its end, or where the user typed last
   * (the typing's own requests keep it warm). Cleared when another file is focused or a model loads.
   */
  private warm: Place | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly service: CompletionService,
    private readonly settings: CompletionSettings,
    private readonly repository: RepositoryContext,
    onModelChange: vscode.Event<unknown>,
  ) {
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        this.warm = undefined;
        this.schedule(editor);
      }),
      vscode.window.onDidChangeTextEditorSelection(({ textEditor, selections }) => {
        if (textEditor !== vscode.window.activeTextEditor) return;
        if (this.running !== undefined && samePlace(this.running, textEditor.document, selections[0].active.line))
          return;
        this.schedule(textEditor);
      }),
      onModelChange(() => {
        this.warm = undefined;
        this.schedule(vscode.window.activeTextEditor);
      }),
      vscode.workspace.onDidChangeTextDocument(({ document, contentChanges }) => {
        if (contentChanges.length === 0) return;
        if (document === this.running?.document) this.cancel();
        if (document === vscode.window.activeTextEditor?.document) {
          // The line the typing ends on, where the cursor is after it (the selection event comes after this one).
          const { range, text } = contentChanges[0];
          this.warm = { document, line: range.start.line + text.split('\n').length - 1 };
        }
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (CompletionSettings.affects(event)) this.schedule(vscode.window.activeTextEditor);
      }),
    ];
    this.schedule(vscode.window.activeTextEditor);
  }

  private schedule(editor: vscode.TextEditor | undefined): void {
    this.cancel();
    if (
      editor === undefined ||
      !this.settings.warmUp ||
      !isSourceDocument(editor.document) ||
      !this.settings.isOnFor(editor.document)
    )
      return;
    this.timer = setTimeout(() => void this.send(editor), WARM_UP_DELAY_MS);
  }

  private async send({ document, selection }: vscode.TextEditor): Promise<void> {
    this.timer = undefined;
    const position = selection.active;
    if (this.warm !== undefined && samePlace(this.warm, document, position.line)) return;
    const source = new vscode.CancellationTokenSource();
    this.running = { document, line: position.line, source };
    try {
      // The repository definitions open the prompt: packed for this file now, or the first keystroke's prompt
      // would start otherwise.
      await refreshRepositoryAt(this.repository, document, position, { ignoreInterval: true });
      if (await this.service.warm(completionRequestAt(document, position, false), source.token))
        this.warm = { document, line: position.line };
    } finally {
      if (this.running?.source === source) this.running = undefined;
      source.dispose();
    }
  }

  private cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running?.source.cancel();
  }

  dispose(): void {
    this.cancel();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

function samePlace(place: Place, document: vscode.TextDocument, line: number): boolean {
  return place.document === document && place.line === line;
}

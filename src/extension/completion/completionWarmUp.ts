import * as vscode from 'vscode';
import type { CompletionService } from './completionService';
import type { CompletionSettings } from './completionSettings';
import { isSourceDocument } from './editTracker';
import { completionRequestAt, repositoryFocusAt } from './inlineCompletionProvider';
import type { RepositoryContext } from './repositoryContext';

/** Quiet time after a file is focused before its prompt goes ahead: flipping through files sends nothing. */
const WARM_UP_DELAY_MS = 1000;

/**
 * Sends the prompt at the cursor to the engine before the first keystroke there (CompletionService.warm): once
 * the cursor has rested for a second on a line not warmed yet, in a file just focused, or when a model loads.
 * The first request in a file otherwise prefills the whole prompt, about 2,300 tokens with the repository
 * definitions: 17 s on 0.6B, over the 3 s budget; a jump within the file changes the windows around the cursor,
 * hundreds of tokens. The engine runs a warm-up after every chat and completion; an edit in the file, a cursor
 * move or another file focused cancels it, and what it computed by then stays in the prefix cache.
 */
export class CompletionWarmUp implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private running: { document: vscode.TextDocument; source: vscode.CancellationTokenSource } | undefined;
  /** The place of the last warm-up, cleared when another file is focused or a model loads. */
  private warmed: { document: vscode.TextDocument; line: number } | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly service: CompletionService,
    private readonly settings: CompletionSettings,
    private readonly repository: RepositoryContext,
    onModelChange: vscode.Event<unknown>,
  ) {
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        this.warmed = undefined;
        this.schedule(editor);
      }),
      vscode.window.onDidChangeTextEditorSelection(({ textEditor }) => {
        if (textEditor === vscode.window.activeTextEditor) this.schedule(textEditor);
      }),
      onModelChange(() => {
        this.warmed = undefined;
        this.schedule(vscode.window.activeTextEditor);
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === this.running?.document && event.contentChanges.length > 0) this.cancel();
      }),
    ];
    this.schedule(vscode.window.activeTextEditor);
  }

  private schedule(editor: vscode.TextEditor | undefined): void {
    this.cancel();
    if (editor === undefined || !this.settings.warmUp || !isSourceDocument(editor.document) || !this.settings.isOnFor(editor.document)) return;
    this.timer = setTimeout(() => void this.warm(editor), WARM_UP_DELAY_MS);
  }

  private async warm({ document, selection }: vscode.TextEditor): Promise<void> {
    this.timer = undefined;
    const position = selection.active;
    // On the line warmed last the typing's own requests keep the cache warm.
    if (this.warmed?.document === document && this.warmed.line === position.line) return;
    this.warmed = { document, line: position.line };
    const source = new vscode.CancellationTokenSource();
    this.running = { document, source };
    try {
      // The repository definitions open the prompt: without them, the first keystroke's prompt would start otherwise.
      if (document.uri.scheme === 'file') await this.repository.refresh(repositoryFocusAt(document, position));
      await this.service.warm(completionRequestAt(document, position, false), source.token);
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

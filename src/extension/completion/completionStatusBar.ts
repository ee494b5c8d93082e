import * as vscode from 'vscode';
import { describeDropHint, type DropHint } from './completionDrops';
import { CompletionSettings } from './completionSettings';

/**
 * Shows whether inline completions are on for the active editor, and a quiet hint when suggestions keep being
 * dropped (and why); a click toggles them.
 */
export class CompletionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'hearth.completionStatus',
    vscode.StatusBarAlignment.Right,
    99,
  );
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly settings: CompletionSettings,
    private readonly dropHint: () => DropHint | undefined = () => undefined,
  ) {
    this.item.name = 'Hearth Completions';
    this.item.command = 'hearth.toggleCompletions';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (CompletionSettings.affects(event)) this.render();
      }),
    ];
    this.render();
    this.item.show();
  }

  render(): void {
    const languageId = vscode.window.activeTextEditor?.document.languageId;
    const languageOff = languageId !== undefined && this.settings.isLanguageDisabled(languageId);
    if (!this.settings.enabled) {
      this.item.text = '$(circle-slash) Completions';
      this.item.tooltip = 'Hearth inline completions are off. Click to turn them on.';
    } else if (languageOff) {
      this.item.text = '$(circle-slash) Completions';
      this.item.tooltip = `Hearth inline completions are off for ${languageId} (hearth.completion.disabledLanguages). Click to turn them off everywhere.`;
    } else {
      const hint = this.dropHint();
      const dropped = hint && describeDropHint(hint);
      this.item.text = `$(sparkle) Completions${dropped?.suffix ?? ''}`;
      this.item.tooltip = `${dropped ? `${dropped.tooltip} ` : ''}Hearth inline completions are on. Click to turn them off.`;
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions, this.item).dispose();
  }
}

import * as vscode from 'vscode';
import { hearthSetting } from '../hearthSetting';

/** The `hearth.completion.*` settings. */
export class CompletionSettings {
  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('hearth');
  }

  get enabled(): boolean {
    return hearthSetting('completion.enabled');
  }

  get warmUp(): boolean {
    return hearthSetting('completion.warmUp');
  }

  get debounceMs(): number {
    return Math.max(0, hearthSetting('completion.debounceMs'));
  }

  isLanguageDisabled(languageId: string): boolean {
    return hearthSetting('completion.disabledLanguages').includes(languageId);
  }

  /** On for this document: completions enabled and its language not excluded. */
  isOnFor(document: vscode.TextDocument): boolean {
    return this.enabled && !this.isLanguageDisabled(document.languageId);
  }

  /** Flips `hearth.completion.enabled` where it is set (workspace, else user settings). */
  async toggle(): Promise<boolean> {
    const where = this.config.inspect<boolean>('completion.enabled');
    const target =
      where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    const enabled = !this.enabled;
    await this.config.update('completion.enabled', enabled, target);
    return enabled;
  }

  static affects(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration('hearth.completion');
  }
}

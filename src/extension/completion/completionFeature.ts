import * as vscode from 'vscode';
import type { ChatEngine } from '../chat/chatStream';
import type { ModelRoleSource } from '../model/modelSource';
import { CompletionModelSource } from './completionModelSource';
import type { ContextSnippet } from './completionPrompt';
import { CompletionService, type CompletionRequest } from './completionService';
import { CompletionSettings } from './completionSettings';
import { describeStats, type CompletionStats } from './completionStats';
import { CompletionStatusBar } from './completionStatusBar';
import { CompletionWarmUp } from './completionWarmUp';
import type { CursorWindows } from './cursorWindows';
import { EditTracker } from './editTracker';
import { HearthInlineCompletionProvider } from './inlineCompletionProvider';
import { RepositoryContext } from './repositoryContext';
import { DEFAULT_RING_OPTIONS, SnippetRing } from './snippetRing';

/** Characters of recently edited chunks per prompt (about 800 tokens). */
const RING_BUDGET_CHARS = 3200;

export interface CompletionFeatureOptions {
  readonly engine: ChatEngine;
  readonly models: ModelRoleSource;
  readonly log: (line: string) => void;
}

/** The registered feature: disposing it unregisters everything; `provider` is the one VS Code asks. */
export interface InlineCompletions extends vscode.Disposable {
  readonly provider: vscode.InlineCompletionItemProvider;
}

/**
 * Inline completions, wired: the provider for every source document, the edit tracker feeding the snippet ring,
 * the status-bar toggle, and the commands `hearth.toggleCompletions` and `hearth.completion.stats`
 * (diagnostic: the counters, which the real-VS Code tests read).
 */
export function registerInlineCompletions({ engine, models, log }: CompletionFeatureOptions): InlineCompletions {
  const settings = new CompletionSettings();
  const ring = new SnippetRing(DEFAULT_RING_OPTIONS);
  const repository = new RepositoryContext((params, token) => engine.request('context/pack', params, token));
  const modelSource = new CompletionModelSource(models, log);
  const service = new CompletionService(
    {
      model: (token) => modelSource.model(token),
      loadedModel: () => modelSource.loadedModel(),
      complete: async (params, token) => {
        const result = await engine.request('complete', params, token);
        if (result.usage.completionTokens > 1)
          models.sessionFor('completion').reportSpeed(result.usage.decodeTokensPerSecond);
        return result;
      },
      snippets: (request, windows) => promptSnippets(request, windows, repository, ring),
      repoName: (request) =>
        vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(request.documentId))?.name ??
        vscode.workspace.name ??
        'workspace',
      log,
      onDropHintChange: () => statusBar.render(),
    },
    { debounceMs: () => settings.debounceMs },
  );
  const statusBar = new CompletionStatusBar(settings, () => service.drops.hint);
  const tracker = new EditTracker(
    ring,
    (edit) => service.noteEdit(edit),
    () => repository.invalidate(),
    DEFAULT_RING_OPTIONS.chunkLines,
  );

  const provider = new HearthInlineCompletionProvider(service, settings, repository);
  const registered = vscode.Disposable.from(
    modelSource,
    tracker,
    statusBar,
    new CompletionWarmUp(service, settings, repository, models.onDidChangeCompletionModel),
    vscode.languages.registerInlineCompletionItemProvider(
      [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }],
      provider,
    ),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (CompletionSettings.affects(event) && !settings.enabled) service.cancelPending();
    }),
    vscode.commands.registerCommand('hearth.toggleCompletions', async () => {
      const enabled = await settings.toggle();
      void vscode.window.setStatusBarMessage(`Hearth: inline completions ${enabled ? 'on' : 'off'}`, 3000);
    }),
    vscode.commands.registerCommand('hearth.completion.stats', (options?: { silent?: boolean }): CompletionStats => {
      const stats = structuredClone(service.stats);
      if (!options?.silent) void vscode.window.showInformationMessage(`Hearth completions: ${describeStats(stats)}.`);
      return stats;
    }),
  );
  return Object.assign(registered, { provider });
}

/** Repository definitions first (they change least), then the ring's chunks not already around the cursor. */
function promptSnippets(
  request: CompletionRequest,
  windows: CursorWindows,
  repository: RepositoryContext,
  ring: SnippetRing,
): ContextSnippet[] {
  const afterLines = windows.after === '' ? 0 : windows.after.split('\n').length - 1;
  const shown = {
    path: request.path,
    fromLine: windows.beforeStartLine,
    toLine: request.position.line + afterLines + 1,
  };
  return [...repository.snippets(request.path), ...ring.select(RING_BUDGET_CHARS, shown)];
}

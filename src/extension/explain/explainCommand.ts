import * as vscode from 'vscode';
import { EXPLAIN_CONTEXT_FORMAT, explainMessages } from '../../shared/explainPrompt';
import type { ContextPackStats, FinishReason, GenerationUsage } from '../../shared/protocol';
import { isCancellation, raceCancellation } from '../cancellation';
import { chatModelKind } from '../chat/chatRequestBuilder';
import type { ChatEngine, ChatStream } from '../chat/chatStream';
import { IndexProgressEstimate } from '../context/indexProgress';
import type { WorkspaceContext } from '../context/workspaceContext';
import type { ErrorPresenter } from '../errorPresenter';
import { modelName } from '../model/modelPickItems';
import { isRemoteModel } from '../remote/remoteModelInfo';
import type { ModelSource } from '../model/modelSource';
import { explainFooter, explainHeader } from './explainDocument';
import { MarkdownStream } from './markdownStream';
import { prefillProgress } from './prefillEstimate';

/** What the command returns (for tests and other extensions). */
export interface ExplainOutcome {
  uri: string;
  finishReason: FinishReason;
  stats: ContextPackStats;
  usage: GenerationUsage;
}

/** The share of the progress bar that indexing takes; reading the prompt (prefill) takes the rest. */
const INDEX_SHARE = 0.2;
/** Tokens of instructions and chat markup around the repository block, for the prefill estimate. */
const PROMPT_OVERHEAD_TOKENS = 300;
const TICK_MS = 500;

type Report = (message: string, fraction?: number) => void;

/**
 * "Hearth: Explain This Codebase": packs the repository at the full budget and streams an explanation
 * (purpose, architecture, modules, data flow, entry points, build and test) into a Markdown document beside
 * the editor, headed and footed with what the model saw and how fast it went. A cancellable notification shows
 * the percentage and time left while indexing and while the model reads the prompt.
 */
export class ExplainCommand {
  constructor(
    private readonly models: ModelSource,
    private readonly workspace: WorkspaceContext,
    private readonly engine: ChatEngine,
    private readonly stream: ChatStream,
    private readonly errors: ErrorPresenter,
  ) {}

  async run(): Promise<ExplainOutcome | undefined> {
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Hearth: Explain This Codebase', cancellable: true },
        async (progress, token) => {
          let shown = 0;
          const report: Report = (message, fraction) => {
            const percent = fraction === undefined ? shown : Math.max(shown, Math.round(fraction * 100));
            progress.report({ message, increment: percent - shown });
            shown = percent;
          };
          try {
            return await this.explain(report, token);
          } catch (error) {
            if (isCancellation(error, token)) return undefined;
            throw error;
          }
        },
      );
    } catch (error) {
      void this.errors.show(error, () => void this.run());
      return undefined;
    }
  }

  private async explain(report: Report, token: vscode.CancellationToken): Promise<ExplainOutcome> {
    report('loading the model…');
    const model = await raceCancellation(this.models.ensureLoaded(), token);
    chatModelKind(model); // throws for a model that cannot chat
    await this.index(report, token);
    report('packing the repository…', INDEX_SHARE);
    const budget = this.workspace.budgetFor(model);
    const { text, stats } = await this.workspace.pack(
      // No focus: the ranking by role puts the README, manifests and entry points first.
      { budget, format: EXPLAIN_CONTEXT_FORMAT },
      token,
    );
    const document = await MarkdownStream.open(
      explainHeader(vscode.workspace.name ?? 'This workspace', modelName(model.path), stats, isRemoteModel(model)),
    );
    const cancel = new vscode.CancellationTokenSource();
    const subscriptions = [
      token.onCancellationRequested(() => cancel.cancel()),
      document.onDidClose(() => cancel.cancel()),
      cancel,
      document,
    ];
    // Until the first token, the notification estimates how far the model has read the prompt.
    const started = Date.now();
    let answering = false;
    const promptTokens = stats.tokens + PROMPT_OVERHEAD_TOKENS;
    const tick = () => {
      if (answering) return;
      const view = prefillProgress(promptTokens, this.stream.prefillRate ?? 0, Date.now() - started);
      report(view.message, INDEX_SHARE + view.fraction * (1 - INDEX_SHARE));
    };
    tick();
    const timer = setInterval(tick, TICK_MS);
    try {
      let written = 0;
      const result = await this.stream.run(
        { messages: explainMessages(text), thinking: 'off' },
        ({ reasoning, content }) => {
          answering = true;
          if (content) {
            document.append(content);
            written += content.length;
            report(`writing the explanation… (${written.toLocaleString('en-US')} characters)`, 1);
          } else if (reasoning) report('thinking…', 1);
        },
        cancel.token,
      );
      document.append(explainFooter(result));
      await document.flush();
      return { uri: document.document.uri.toString(), finishReason: result.finishReason, stats, usage: result.usage };
    } finally {
      clearInterval(timer);
      vscode.Disposable.from(...subscriptions).dispose();
    }
  }

  private async index(report: Report, token: vscode.CancellationToken): Promise<void> {
    const estimate = new IndexProgressEstimate();
    const subscription = this.engine.onNotification('context/progress', (event) => {
      const view = estimate.update(event);
      report(view.message, view.fraction === undefined ? undefined : view.fraction * INDEX_SHARE);
    });
    try {
      await this.workspace.sync(token);
    } finally {
      subscription.dispose();
    }
  }
}

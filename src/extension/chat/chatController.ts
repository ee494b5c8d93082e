import * as vscode from 'vscode';
import type { ChatTurn, ExtensionToWebviewMessage, ThinkingMode } from '../../shared/webviewProtocol';
import { isCancellation } from '../cancellation';
import type { ErrorPresenter } from '../errorPresenter';
import type { PackedBlock } from './blockReuse';
import { ChatHistory, viewTurn, type StoredTurn } from './chatHistory';
import type { ChatRequestBuilder } from './chatRequestBuilder';
import type { ChatStream } from './chatStream';
import { finalThinking } from './thinkingPolicy';
import { turnStats } from './turnStats';

interface RunningTurn {
  turn: StoredTurn;
  cancel: vscode.CancellationTokenSource;
  done: Promise<ChatTurn>;
  /** Continuing the turn's answer, which stopped at the token limit: the engine writes on from its end. */
  continuing: boolean;
  /** Stopped in the view with this much of the answer shown: the turn keeps that, not what came after. */
  shownAnswerLength?: number;
}

/** While an answer streams, the history is saved at most this often (a reload keeps most of it). */
const STREAMING_SAVE_MS = 2_000;

/**
 * The sidebar conversation: its turns (kept in workspaceState), one answer at a time, streamed to the view;
 * Stop, Retry and New chat. Knows nothing of the webview beyond the messages it posts.
 */
export class ChatController implements vscode.Disposable {
  private turns: StoredTurn[];
  private thinking: ThinkingMode;
  private running: RunningTurn | undefined;
  /** The repository block of this conversation, reused by follow-ups while it is current. */
  private block: PackedBlock | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private post: (message: ExtensionToWebviewMessage) => void = () => undefined;

  constructor(
    private readonly history: ChatHistory,
    private readonly requests: ChatRequestBuilder,
    private readonly stream: ChatStream,
    private readonly errors: ErrorPresenter,
  ) {
    ({ turns: this.turns, thinking: this.thinking } = history.load());
  }

  /** Where the conversation's messages go (the chat view, once it exists). */
  connect(post: (message: ExtensionToWebviewMessage) => void): void {
    this.post = post;
  }

  /** The whole conversation, for a view that (re)loaded. */
  sendHistory(): void {
    this.post({ type: 'history', turns: this.turns.map(viewTurn), thinking: this.thinking });
  }

  get conversation(): ChatTurn[] {
    return this.turns.map(viewTurn);
  }

  /**
   * Asks a question; resolves with the finished turn. A question asked while a stopped answer winds down waits
   * for it (the view ends a turn at Stop); while an answer streams, a new question is refused.
   */
  async ask(question: string, thinking: ThinkingMode = this.thinking): Promise<ChatTurn> {
    this.setThinking(thinking);
    const stopping = this.running;
    if (stopping?.cancel.token.isCancellationRequested) await stopping.done;
    if (this.running) {
      this.sendHistory(); // unlocks the composer: it waits for an answer to its ask
      throw new Error('Hearth is still answering the previous question.');
    }
    const turn: StoredTurn = {
      id: `turn-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      question,
      reasoning: '',
      answer: '',
    };
    this.turns.push(turn);
    return this.start(turn);
  }

  /** Asks a turn's question again in its place, with the turns before it as the conversation. */
  retry(turnId: string): Promise<ChatTurn> | undefined {
    const turn = this.turns.find((candidate) => candidate.id === turnId);
    if (!turn || this.running) return undefined;
    const fresh: StoredTurn = { id: turn.id, question: turn.question, reasoning: '', answer: '' };
    this.turns[this.turns.indexOf(turn)] = fresh;
    return this.start(fresh);
  }

  /** Continues the last turn's answer when it stopped at the token limit, appending to it in place. */
  continue(turnId: string): Promise<ChatTurn> | undefined {
    const turn = this.turns.at(-1);
    if (turn?.id !== turnId || turn.finishReason !== 'length' || this.running) return undefined;
    delete turn.finishReason;
    delete turn.stats;
    return this.start(turn, true);
  }

  /** Stops the answer; with `answerLength`, the turn keeps only what the view showed when it was stopped. */
  stop(turnId: string, answerLength?: number): void {
    if (this.running?.turn.id !== turnId) return;
    if (answerLength !== undefined) this.running.shownAnswerLength = answerLength;
    this.running.cancel.cancel();
  }

  newChat(): void {
    this.running?.cancel.cancel();
    this.running = undefined;
    this.turns = [];
    this.block = undefined;
    this.sendHistory();
    this.saveNow();
  }

  setThinking(mode: ThinkingMode): void {
    if (mode === this.thinking) return;
    this.thinking = mode;
    this.saveNow();
  }

  private start(turn: StoredTurn, continuing = false): Promise<ChatTurn> {
    const cancel = new vscode.CancellationTokenSource();
    const running: RunningTurn = { turn, cancel, done: Promise.resolve(turn), continuing };
    this.running = running;
    this.post({ type: 'turnStarted', turn: viewTurn(turn) });
    this.saveNow();
    running.done = this.answer(running).finally(() => {
      cancel.dispose();
      if (this.running === running) this.running = undefined;
    });
    return running.done;
  }

  private async answer(running: RunningTurn): Promise<ChatTurn> {
    const { turn, cancel, continuing } = running;
    const keepShown = () => {
      if (running.shownAnswerLength !== undefined) turn.answer = turn.answer.slice(0, running.shownAnswerLength);
    };
    const token = cancel.token;
    const prior = this.turns.slice(0, this.turns.indexOf(turn));
    const answered = continuing ? turn.answer : '';
    try {
      this.post({ type: 'turnProgress', turnId: turn.id, text: 'Gathering the repository context…' });
      const request = continuing
        ? await this.requests.buildContinuation(turn, prior, this.block, token)
        : await this.requests.build(turn.question, this.thinking, prior, this.block, token);
      this.block = request.block;
      // A continuation keeps the turn's prompt, reasoning and thinking decision: only its answer grows.
      if (!continuing) {
        turn.prompt = request.prompt;
        turn.thinking = request.thinking.decision;
        this.post({ type: 'turnThinking', turnId: turn.id, thinking: turn.thinking });
      }
      this.post({ type: 'turnProgress', turnId: turn.id, text: 'Reading the prompt…' });
      const result = await this.stream.run(
        {
          messages: request.messages,
          thinking: request.thinking.request,
          ...(request.maxTokens !== undefined && { maxTokens: request.maxTokens }),
          ...(request.continueAnswer && { continueAnswer: true }),
        },
        (delta) => {
          const reasoning = continuing ? undefined : delta.reasoning;
          const content = delta.content;
          if (reasoning) turn.reasoning += reasoning;
          if (content) turn.answer += content;
          this.post({
            type: 'turnDelta',
            turnId: turn.id,
            ...(reasoning && { reasoning }),
            ...(content && { answer: content }),
          });
          this.saveSoon();
        },
        token,
      );
      const thinking = finalThinking(request.thinking, result.thinking);
      const planned = request.thinking.decision;
      if (!continuing && (thinking.enabled !== planned.enabled || thinking.decidedBy !== planned.decidedBy)) {
        turn.thinking = thinking;
        this.post({ type: 'turnThinking', turnId: turn.id, thinking });
      }
      turn.answer = answered + result.content;
      keepShown();
      if (!continuing) turn.reasoning = result.reasoning;
      this.finish(turn, {
        // Stopped in the view: it ended there, whatever the engine had reached meanwhile.
        finishReason: running.shownAnswerLength !== undefined ? 'cancelled' : result.finishReason,
        stats: turnStats(request.block?.stats, result.usage, request.history),
      });
    } catch (error) {
      keepShown();
      if (isCancellation(error, token)) this.finish(turn, { finishReason: 'cancelled' });
      else this.finish(turn, { finishReason: 'error', error: this.errors.turnError(error) });
    }
    return viewTurn(turn);
  }

  private finish(turn: StoredTurn, outcome: Pick<ChatTurn, 'finishReason' | 'error' | 'stats'>): void {
    Object.assign(turn, outcome);
    if (!this.turns.includes(turn)) return; // New chat dropped it
    this.post({
      type: 'turnFinished',
      turnId: turn.id,
      finishReason: outcome.finishReason ?? 'stop',
      ...(outcome.error !== undefined && { error: outcome.error }),
      ...(outcome.stats && { stats: outcome.stats }),
    });
    this.saveNow();
  }

  private saveSoon(): void {
    this.saveTimer ??= setTimeout(() => this.saveNow(), STREAMING_SAVE_MS);
  }

  private saveNow(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    void this.history.save({ turns: this.turns, thinking: this.thinking });
  }

  dispose(): void {
    this.running?.cancel.cancel();
    this.saveNow();
  }
}

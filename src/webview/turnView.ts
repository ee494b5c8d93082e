import type { ChatTurn, FinishReason, ThinkingDecision, TurnStats } from '../shared/webviewProtocol';
import { button, element } from './element';
import { contextLine, describeTurnStats } from './statsLine';
import { StreamingMarkdown } from './streamingMarkdown';
import { ThinkingBlock, type TurnPhase } from './thinkingBlock';
import type { PostMessage } from './vscodeApi';

/**
 * One question and its answer. Deltas only change the data; `render()` (called by the transcript at most once
 * per animation frame) redraws what changed. A finished or stopped turn's answer is left alone.
 */
export class TurnView {
  readonly element: HTMLElement;
  private readonly turn: ChatTurn;
  private readonly thinking = new ThinkingBlock();
  private readonly answer: StreamingMarkdown;
  private readonly footer: HTMLElement;
  /** What the turn waits for before its first token; hidden once text arrives or the turn ends. */
  private readonly progress: HTMLElement;
  private progressText = '';
  private footerDone = false;
  /** Stopped here by the user: the extension's own end of the turn may still bring its stats. */
  private stoppedHere = false;

  constructor(
    turn: ChatTurn,
    private readonly post: PostMessage,
  ) {
    this.turn = { ...turn };
    this.answer = new StreamingMarkdown(element('div', { className: 'answer markdown' }));
    this.answer.append(turn.answer);
    this.thinking.appendReasoning(turn.reasoning);
    this.footer = element('div', { className: 'turn-footer' });
    this.progress = element('p', { className: 'turn-progress', attributes: { role: 'status' } });
    this.element = element(
      'article',
      { className: 'turn', attributes: { 'data-turn-id': turn.id, 'aria-label': 'Question and answer' } },
      [
        element('div', { className: 'question', text: turn.question }),
        this.thinking.element,
        this.progress,
        this.answer.element,
        this.footer,
      ],
    );
    this.render();
  }

  get id(): string {
    return this.turn.id;
  }

  get streaming(): boolean {
    return this.turn.finishReason === undefined;
  }

  snapshot(): ChatTurn {
    return { ...this.turn };
  }

  appendDelta(reasoning: string | undefined, answer: string | undefined): void {
    if (!this.streaming) return;
    // The views take the new text only: the whole turn's text is read for saving, not per delta.
    if (reasoning) {
      this.turn.reasoning += reasoning;
      this.thinking.appendReasoning(reasoning);
    }
    if (answer) {
      this.turn.answer += answer;
      this.answer.append(answer);
    }
  }

  setThinking(decision: ThinkingDecision): void {
    this.turn.thinking = decision;
  }

  setProgress(text: string): void {
    this.progressText = text;
  }

  finish(finishReason: FinishReason, error: string | undefined, stats: TurnStats | undefined): void {
    if (!this.streaming) {
      // Stopped here first: the text stays as it was at the click, only the stats are new.
      if (!this.stoppedHere || stats === undefined) return;
      this.stoppedHere = false;
      this.turn.stats = stats;
      this.footer.replaceChildren();
      this.footerDone = false;
      this.render();
      return;
    }
    this.turn.finishReason = finishReason;
    if (error !== undefined) this.turn.error = error;
    if (stats !== undefined) this.turn.stats = stats;
    this.render();
  }

  /** Stop clicked: the turn ends in the view at once, with what has arrived; later deltas are dropped. */
  stop(): void {
    if (!this.streaming) return;
    this.stoppedHere = true;
    this.finish('cancelled', undefined, undefined);
  }

  render(): void {
    this.thinking.update(this.turn.thinking, this.phase());
    this.answer.render();
    const waiting = this.streaming && this.turn.answer === '' && this.turn.reasoning === '' && this.progressText !== '';
    this.progress.hidden = !waiting;
    if (waiting && this.progress.textContent !== this.progressText) this.progress.textContent = this.progressText;
    this.element.classList.toggle('streaming', this.streaming);
    if (!this.streaming && !this.footerDone) this.renderFooter();
  }

  private phase(): TurnPhase {
    if (!this.streaming) return 'done';
    return this.turn.answer === '' ? 'reasoning' : 'answering';
  }

  private renderFooter(): void {
    this.footerDone = true;
    const { finishReason = 'stop', error, stats } = this.turn;
    const line = contextLine(finishReason, stats);
    if (line) {
      const attributes: Record<string, string> = stats ? { title: describeTurnStats(stats) } : {};
      this.footer.append(element('p', { className: 'context-line', text: line, attributes }));
    }
    if (finishReason === 'error') {
      this.footer.append(element('p', { className: 'turn-error', text: error || 'The answer failed.' }));
    }
    const actions = element('div', { className: 'turn-actions' });
    // The extension continues only the last turn; the stylesheet hides the button on earlier ones.
    if (finishReason === 'length')
      actions.append(
        button(
          'Continue',
          'Continue: write the rest of this answer',
          () => this.post({ type: 'continue', turnId: this.turn.id }),
          'button continue',
        ),
      );
    actions.append(
      button(
        'Retry',
        'Retry: ask this question again',
        () => this.post({ type: 'retry', turnId: this.turn.id }),
        'button secondary',
      ),
    );
    if (finishReason === 'error')
      actions.append(
        button('Show logs', 'Show the Hearth logs', () => this.post({ type: 'showLogs' }), 'button secondary'),
      );
    this.footer.append(actions);
  }
}

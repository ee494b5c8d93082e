import type { ChatTurn, FinishReason, ThinkingDecision, TurnStats } from '../shared/webviewProtocol';
import { codeActionMessage } from './codeBlockActions';
import { element } from './element';
import { TurnView } from './turnView';
import type { PostMessage } from './vscodeApi';

/** How close to the bottom (px) still counts as "following the answer" for auto-scroll. */
const pinSlack = 24;

/**
 * The transcript: turn views in order, streaming updates batched to one render per animation frame, the
 * scroll kept at the bottom while the reader is there, and one delegated click handler for code-block buttons
 * and links.
 */
export class ChatView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly welcome: HTMLElement;
  private readonly announcer: HTMLElement;
  private views: TurnView[] = [];
  private readonly dirty = new Set<TurnView>();
  private frame: number | undefined;

  constructor(private readonly post: PostMessage) {
    this.welcome = element('p', {
      className: 'welcome',
      text: 'Ask about this repository. Answers come from a model running on this machine; nothing leaves it.',
    });
    this.list = element('div', { className: 'turns' });
    this.announcer = element('div', { className: 'visually-hidden', attributes: { 'aria-live': 'polite' } });
    this.element = element('section', { className: 'transcript', attributes: { 'aria-label': 'Conversation' } }, [
      this.welcome,
      this.list,
      this.announcer,
    ]);
    this.element.addEventListener('click', (event) => this.onClick(event));
  }

  /** Replaces the whole transcript (history from the extension, or the saved state). */
  replace(turns: readonly ChatTurn[]): void {
    this.cancelFrame();
    this.views = turns.map((turn) => new TurnView(turn, this.post));
    this.list.replaceChildren(...this.views.map((view) => view.element));
    this.welcome.hidden = this.views.length > 0;
    this.element.scrollTop = this.element.scrollHeight;
  }

  /** A new turn at the end, or a retried one replaced where it stands when the id is already shown. */
  start(turn: ChatTurn): void {
    this.pinned(() => {
      const view = new TurnView(turn, this.post);
      const index = this.views.findIndex((existing) => existing.id === turn.id);
      if (index >= 0) {
        const old = this.views[index];
        this.dirty.delete(old);
        old.element.replaceWith(view.element);
        this.views[index] = view;
      } else {
        this.views.push(view);
        this.list.append(view.element);
      }
      this.welcome.hidden = true;
    }, true);
  }

  delta(turnId: string, reasoning: string | undefined, answer: string | undefined): void {
    const view = this.find(turnId);
    if (!view?.streaming) return;
    view.appendDelta(reasoning, answer);
    this.schedule(view);
  }

  setThinking(turnId: string, decision: ThinkingDecision): void {
    const view = this.find(turnId);
    if (!view) return;
    view.setThinking(decision);
    this.schedule(view);
  }

  setProgress(turnId: string, text: string): void {
    const view = this.find(turnId);
    if (!view?.streaming) return;
    view.setProgress(text);
    this.schedule(view);
  }

  finish(turnId: string, finishReason: FinishReason, error: string | undefined, stats: TurnStats | undefined): void {
    const view = this.find(turnId);
    if (!view) return;
    const streaming = view.streaming;
    this.dirty.delete(view);
    this.pinned(() => view.finish(finishReason, error, stats)); // a turn stopped here only takes the stats
    if (!streaming) return;
    this.announcer.textContent =
      finishReason === 'error'
        ? `Answer failed: ${error ?? ''}`
        : finishReason === 'cancelled'
          ? 'Answer stopped.'
          : 'Answer finished.';
  }

  /**
   * Stop clicked: the turn ends in the view now, whatever is still on its way from the extension. Returns the
   * length of the answer it shows, undefined when no such turn streams.
   */
  stop(turnId: string): number | undefined {
    const view = this.find(turnId);
    if (!view?.streaming) return undefined;
    this.dirty.delete(view);
    this.pinned(() => view.stop());
    this.announcer.textContent = 'Answer stopped.';
    return view.snapshot().answer.length;
  }

  /** The turn still streaming, if any (at most one: the extension answers one question at a time). */
  get streamingTurnId(): string | undefined {
    for (let index = this.views.length - 1; index >= 0; index--)
      if (this.views[index].streaming) return this.views[index].id;
    return undefined;
  }

  turns(): ChatTurn[] {
    return this.views.map((view) => view.snapshot());
  }

  private find(turnId: string): TurnView | undefined {
    return this.views.find((view) => view.id === turnId);
  }

  private schedule(view: TurnView): void {
    this.dirty.add(view);
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      const views = [...this.dirty];
      this.dirty.clear();
      this.pinned(() => views.forEach((dirtyView) => dirtyView.render()));
    });
  }

  private cancelFrame(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.dirty.clear();
  }

  /** Runs an update and keeps the transcript scrolled to the bottom if it was there (or `force`). */
  private pinned(update: () => void, force = false): void {
    const scroller = this.element;
    const atBottom = force || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= pinSlack;
    update();
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  private onClick(event: MouseEvent): void {
    const message = codeActionMessage(event.target);
    if (message) {
      this.post(message);
      return;
    }
    // A link in an answer must not navigate the webview; VS Code's own click handler opens it outside.
    if (event.target instanceof Element && event.target.closest('.markdown a')) event.preventDefault();
  }
}

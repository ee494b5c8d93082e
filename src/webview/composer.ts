import type { ThinkingMode } from '../shared/webviewProtocol';
import { element } from './element';
import type { PostMessage } from './vscodeApi';

export interface ComposerContext {
  engineReady: boolean;
  /** The turn now streaming: the Send button is Stop while there is one. */
  streamingTurnId: string | undefined;
}

/**
 * The question box. Typing is always allowed; sending needs a ready engine and no answer streaming. Enter
 * sends, Shift+Enter is a new line, Escape stops a streaming answer. `@file` and `#selection` stay plain text:
 * the extension reads them.
 */
export class Composer {
  readonly element: HTMLElement;
  private readonly textarea: HTMLTextAreaElement;
  private readonly action: HTMLButtonElement;
  private context: ComposerContext = { engineReady: false, streamingTurnId: undefined };
  /** Sent, and no turn has started yet: a second Enter must not ask twice. */
  private awaitingTurn = false;

  constructor(
    private readonly post: PostMessage,
    private readonly thinking: () => ThinkingMode,
    private readonly onDraftChange: () => void,
    /** Ends the streaming turn in the view; returns how much of its answer was shown, for the 'stop' message. */
    private readonly onStop: (turnId: string) => number | undefined,
  ) {
    this.textarea = element('textarea', {
      className: 'prompt',
      attributes: {
        rows: '2',
        'aria-label': 'Ask Hearth',
        placeholder: 'Ask about this repository',
        'aria-describedby': 'composer-hint',
      },
    });
    this.action = element('button', { className: 'button send', attributes: { type: 'button' } });
    const hint = element('p', {
      className: 'hint',
      text: 'Enter to send, Shift+Enter for a new line. @file adds a file, #selection the editor selection.',
      attributes: { id: 'composer-hint' },
    });
    this.element = element('div', { className: 'composer' }, [
      element('div', { className: 'composer-row' }, [this.textarea, this.action]),
      hint,
    ]);

    this.textarea.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.textarea.addEventListener('input', () => {
      this.refresh();
      this.onDraftChange();
    });
    this.action.addEventListener('click', () =>
      this.context.streamingTurnId === undefined ? this.send() : this.stop(),
    );
    this.refresh();
  }

  get draft(): string {
    return this.textarea.value;
  }

  set draft(text: string) {
    this.textarea.value = text;
    this.refresh();
  }

  update(context: ComposerContext): void {
    this.context = context;
    this.refresh();
  }

  /** The extension answered the last ask (a turn started, history came, or the engine changed state). */
  acknowledge(): void {
    this.awaitingTurn = false;
    this.refresh();
  }

  private get canSend(): boolean {
    return (
      this.context.engineReady &&
      this.context.streamingTurnId === undefined &&
      !this.awaitingTurn &&
      this.textarea.value.trim() !== ''
    );
  }

  private send(): void {
    if (!this.canSend) return;
    this.post({ type: 'ask', text: this.textarea.value, thinking: this.thinking() });
    this.awaitingTurn = true;
    this.textarea.value = '';
    this.refresh();
    this.onDraftChange();
  }

  private stop(): void {
    const turnId = this.context.streamingTurnId;
    if (turnId === undefined) return;
    const answerLength = this.onStop(turnId);
    this.post({ type: 'stop', turnId, ...(answerLength !== undefined && { answerLength }) });
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.isComposing) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      this.send();
    } else if (event.key === 'Escape' && this.context.streamingTurnId !== undefined) {
      event.preventDefault();
      this.stop();
    }
  }

  private refresh(): void {
    const streaming = this.context.streamingTurnId !== undefined;
    this.action.textContent = streaming ? 'Stop' : 'Send';
    this.action.classList.toggle('stop', streaming);
    this.action.setAttribute('aria-label', streaming ? 'Stop the answer (Escape)' : 'Send (Enter)');
    this.action.title = this.action.getAttribute('aria-label') ?? '';
    this.action.disabled = !streaming && !this.canSend;
  }
}

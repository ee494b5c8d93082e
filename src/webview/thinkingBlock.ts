import type { ThinkingDecision } from '../shared/webviewProtocol';
import { element } from './element';

/** Characters of reasoning per block before the next line break closes it. */
const REASONING_BLOCK_CHARS = 1_024;

/** Where a turn is: reasoning (streaming, no answer text yet), answering (answer text streaming), or done. */
export type TurnPhase = 'reasoning' | 'answering' | 'done';

/** Why the model did or did not think, in the words the label uses. */
export function thinkingReason(decision: ThinkingDecision): string {
  switch (decision.decidedBy) {
    case 'model':
      return decision.enabled ? 'model always thinks' : 'model never thinks';
    case 'soft-switch':
      return decision.enabled ? '/think in the question' : '/no_think in the question';
    case 'request':
      return decision.enabled ? 'thinking on' : 'thinking off';
    case 'auto':
      return decision.enabled ? 'auto: refactor request' : 'auto: quick question';
    default:
      return decision.decidedBy satisfies never;
  }
}

/** "Thinking… (auto: refactor request)" while it streams, "Thinking (…)" or "No thinking (…)" after. */
export function thinkingLabel(decision: ThinkingDecision | undefined, live: boolean): string {
  const reason = decision ? ` (${thinkingReason(decision)})` : '';
  if (live) return `Thinking…${reason}`;
  return `${decision?.enabled === false ? 'No thinking' : 'Thinking'}${reason}`;
}

/**
 * The reasoning of one turn: a <details> that opens by itself while reasoning streams and closes once, when the
 * answer starts (after that the user's choice stands). Reasoning is shown as plain text. With no reasoning, a
 * one-line note says whether thinking was chosen and why.
 */
export class ThinkingBlock {
  readonly element: HTMLElement;
  private readonly details: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly text: HTMLElement;
  /** The reasoning shown, in blocks of whole lines: the last one grows, so a frame lays out that one only. */
  private lastBlock = document.createTextNode('');
  /** Reasoning appended since the last update. */
  private pending = '';
  private hasReasoning = false;
  private readonly note: HTMLElement;
  private openedWhileReasoning = false;
  private collapsedForAnswer = false;

  constructor() {
    this.summary = element('summary', { className: 'thinking-label' });
    this.text = element('div', { className: 'thinking-text' }, [element('div', {}, [this.lastBlock])]);
    this.details = element('details', { className: 'thinking' }, [this.summary, this.text]);
    this.note = element('p', { className: 'thinking-note' });
    this.element = element('div', { className: 'thinking-block' }, [this.details, this.note]);
  }

  /** Adds reasoning text at the end; `update` shows it. */
  appendReasoning(text: string): void {
    if (text === '') return;
    this.pending += text;
    this.hasReasoning = true;
  }

  update(decision: ThinkingDecision | undefined, phase: TurnPhase): void {
    const live = phase === 'reasoning' && (this.hasReasoning || decision?.enabled === true);
    const showDetails = this.hasReasoning || live;
    this.details.hidden = !showDetails;
    this.note.hidden = showDetails || decision === undefined;
    this.element.hidden = this.details.hidden && this.note.hidden;
    if (!showDetails) {
      this.note.textContent = thinkingLabel(decision, false);
      return;
    }
    setText(this.summary, thinkingLabel(decision, live));
    this.showPending();
    this.details.classList.toggle('live', live);
    if (phase === 'reasoning' && !this.openedWhileReasoning) {
      this.openedWhileReasoning = true;
      this.details.open = true;
    } else if (phase !== 'reasoning' && this.openedWhileReasoning && !this.collapsedForAnswer) {
      this.collapsedForAnswer = true;
      this.details.open = false;
    }
  }

  /** Appends what arrived since the last update, so a long reasoning costs its new text only. */
  private showPending(): void {
    let rest = this.pending;
    this.pending = '';
    // A full block takes text up to its next line break; what follows starts a new block on the next line.
    while (rest !== '') {
      const room = REASONING_BLOCK_CHARS - this.lastBlock.length;
      const lineEnd = rest.indexOf('\n') + 1;
      if (room > 0 || lineEnd === 0) {
        const part = room > 0 ? rest.slice(0, room) : rest;
        this.lastBlock.appendData(part);
        rest = rest.slice(part.length);
        continue;
      }
      this.lastBlock.appendData(rest.slice(0, lineEnd));
      rest = rest.slice(lineEnd);
      this.lastBlock = document.createTextNode('');
      this.text.append(element('div', {}, [this.lastBlock]));
    }
  }
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

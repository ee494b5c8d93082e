import { addCodeBlockActions } from './codeBlockActions';
import { completeBlocks, renderMarkdown } from './markdownRenderer';
import { element } from './element';

/** Complete blocks per group: the browser lays out a frame's change among groups, not among all the blocks. */
const BLOCKS_PER_GROUP = 32;

/**
 * An answer's Markdown as it grows, at a cost per update that does not grow with the answer: blocks that more
 * text cannot change are rendered and sanitised once, in groups of a fixed size; the open last block is
 * re-rendered each time. The DOM depends on the text only, not on how it arrived.
 */
export class StreamingMarkdown {
  /** The source of the complete blocks, which are rendered for good. */
  private completeText = '';
  private group: HTMLElement | undefined;
  private groupSize = 0;
  private openNodes: ChildNode[] = [];

  constructor(readonly element: HTMLElement) {}

  /** Shows `text`: the text shown before plus what arrived since (any other text is rendered afresh). */
  show(text: string): void {
    if (!text.startsWith(this.completeText)) this.reset();
    for (const node of this.openNodes) node.remove();
    let rest = text.slice(this.completeText.length);
    for (const block of completeBlocks(rest)) {
      this.append(block);
      rest = rest.slice(block.length);
    }
    const open = rendered(rest);
    this.openNodes = [...open.childNodes];
    this.element.append(open);
  }

  private append(block: string): void {
    if (!this.group || this.groupSize === BLOCKS_PER_GROUP) {
      this.group = element('div', { className: 'answer-blocks' });
      this.groupSize = 0;
      this.element.append(this.group);
    }
    this.group.append(rendered(block));
    this.groupSize++;
    this.completeText += block;
  }

  private reset(): void {
    this.element.replaceChildren();
    this.completeText = '';
    this.group = undefined;
    this.groupSize = 0;
    this.openNodes = [];
  }
}

function rendered(text: string): DocumentFragment {
  const fragment = renderMarkdown(text);
  addCodeBlockActions(fragment);
  return fragment;
}

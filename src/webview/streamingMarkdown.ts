import { addCodeBlockActions } from './codeBlockActions';
import { completeBlocks, renderMarkdown } from './markdownRenderer';
import { element } from './element';

/** Complete blocks per group: the browser lays out a frame's change among groups, not among all the blocks. */
const BLOCKS_PER_GROUP = 32;

/**
 * An answer's Markdown as it grows, at a cost per update that does not grow with the answer: it never looks at
 * the whole text. Blocks that more text cannot change are rendered and sanitised once, in groups of a fixed
 * size; the open last block is re-rendered each time. The DOM depends on the text only, not on how it arrived.
 */
export class StreamingMarkdown {
  /** The source after the complete blocks: the open last block, still growing. */
  private open = '';
  /** The text so far ended with \r: a \n that starts the next text belongs to that line break. */
  private endedWithCr = false;
  private changed = false;
  private group: HTMLElement | undefined;
  private groupSize = 0;
  private openNodes: ChildNode[] = [];

  constructor(readonly element: HTMLElement) {}

  /**
   * Adds text at the end of the answer; `render` shows it. Line breaks become \n, as the Markdown lexer makes
   * them: its blocks then match the source, so they complete (a \r\n answer would stay one open block).
   */
  append(text: string): void {
    if (text === '') return;
    const rest = this.endedWithCr && text.startsWith('\n') ? text.slice(1) : text;
    this.endedWithCr = text.endsWith('\r');
    this.open += rest.replace(/\r\n?/g, '\n');
    this.changed = true;
  }

  /** Shows what was appended since the last call: complete blocks once, then the open block afresh. */
  render(): void {
    if (!this.changed) return;
    this.changed = false;
    for (const node of this.openNodes) node.remove();
    for (const block of completeBlocks(this.open)) {
      this.appendBlock(block);
      this.open = this.open.slice(block.length);
    }
    const open = rendered(this.open);
    this.openNodes = [...open.childNodes];
    this.element.append(open);
  }

  private appendBlock(block: string): void {
    if (!this.group || this.groupSize === BLOCKS_PER_GROUP) {
      this.group = element('div', { className: 'answer-blocks' });
      this.groupSize = 0;
      this.element.append(this.group);
    }
    this.group.append(rendered(block));
    this.groupSize++;
  }
}

function rendered(text: string): DocumentFragment {
  const fragment = renderMarkdown(text);
  addCodeBlockActions(fragment);
  return fragment;
}

import type { ChatDeltaParams } from '../../shared/protocol';

const DIM = '\x1b[2m';
const NORMAL = '\x1b[22m';

type Stream = Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;

/**
 * Writes a chat's output as it streams. The answer goes out as it is; the reasoning is dimmed on a terminal,
 * and elsewhere (a file, a pipe) set apart under a "Thinking:" heading, with an "Answer:" heading after it
 * when both share a stream. Reasoning may have a stream of its own (stderr), so that stdout holds the answer
 * alone.
 */
export class ChatStreamWriter {
  private inReasoning = false;
  private hadReasoning = false;
  private answerStarted = false;
  private reasoningEndsLine = true;
  private answerEndsLine = true;

  constructor(
    private readonly answer: Stream,
    private readonly reasoning: Stream = answer,
  ) {}

  write(delta: Pick<ChatDeltaParams, 'reasoning' | 'content'>): void {
    if (delta.reasoning) this.writeReasoning(delta.reasoning);
    if (delta.content) this.writeAnswer(delta.content);
  }

  /** Ends the output with a newline (and the terminal's style reset). */
  end(): void {
    this.closeReasoning();
    if (!this.answerEndsLine) this.answer.write('\n');
    this.answerEndsLine = true;
  }

  private writeReasoning(text: string): void {
    if (!this.inReasoning && !this.reasoning.isTTY) this.reasoning.write('Thinking:\n');
    this.inReasoning = true;
    this.hadReasoning = true;
    // Styled per delta: whatever else reaches the terminal in between is not dimmed with it.
    this.reasoning.write(this.reasoning.isTTY ? `${DIM}${text}${NORMAL}` : text);
    this.reasoningEndsLine = text.endsWith('\n');
  }

  private writeAnswer(text: string): void {
    this.closeReasoning();
    if (!this.answerStarted && this.hadReasoning && this.reasoning === this.answer && !this.answer.isTTY)
      this.answer.write('Answer:\n');
    this.answerStarted = true;
    this.answer.write(text);
    this.answerEndsLine = text.endsWith('\n');
  }

  private closeReasoning(): void {
    if (!this.inReasoning) return;
    this.inReasoning = false;
    // A blank line between the reasoning and the answer when they share a stream; a newline at least.
    this.reasoning.write(`${this.reasoningEndsLine ? '' : '\n'}${this.reasoning === this.answer ? '\n' : ''}`);
    this.reasoningEndsLine = true;
  }
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatStreamWriter } from '../../../src/engine/cli/chatStreamWriter';

class Capture {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

const deltas = [{ reasoning: 'Think' }, { reasoning: 'ing.' }, { content: 'The ' }, { content: 'answer.' }];

describe('ChatStreamWriter', () => {
  it('sets the reasoning apart under headings in a file or pipe', () => {
    const out = new Capture(false);
    const writer = new ChatStreamWriter(out);
    for (const delta of deltas) writer.write(delta);
    writer.end();
    assert.equal(out.text, 'Thinking:\nThinking.\n\nAnswer:\nThe answer.\n');
  });

  it('dims the reasoning on a terminal, each piece reset after it', () => {
    const out = new Capture(true);
    const writer = new ChatStreamWriter(out);
    for (const delta of deltas) writer.write(delta);
    writer.end();
    assert.equal(out.text, '\x1b[2mThink\x1b[22m\x1b[2ming.\x1b[22m\n\nThe answer.\n');
  });

  it('keeps the answer alone on its stream when the reasoning has its own', () => {
    const answer = new Capture(false);
    const reasoning = new Capture(false);
    const writer = new ChatStreamWriter(answer, reasoning);
    for (const delta of deltas) writer.write(delta);
    writer.end();
    assert.equal(answer.text, 'The answer.\n');
    assert.equal(reasoning.text, 'Thinking:\nThinking.\n');
  });

  it('writes an answer without reasoning as it is, adding only the final newline', () => {
    const out = new Capture(false);
    const writer = new ChatStreamWriter(out);
    writer.write({ content: 'Done.\n' });
    writer.end();
    assert.equal(out.text, 'Done.\n');
  });
});

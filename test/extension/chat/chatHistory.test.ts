import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChatHistory,
  MAX_STORED_TURNS,
  viewTurn,
  type ChatMemento,
  type StoredTurn,
} from '../../../src/extension/chat/chatHistory';

class MapMemento implements ChatMemento {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.values.set(key, JSON.parse(JSON.stringify(value)));
    return Promise.resolve();
  }
}

const stats = {
  filesWhole: 2,
  filesOutlined: 1,
  filesListed: 0,
  contextTokens: 900,
  promptTokens: 1_000,
  cachedTokens: 950,
  completionTokens: 20,
  prefillTokensPerSecond: 400,
  decodeTokensPerSecond: 90,
  timeToFirstTokenMs: 120,
};

describe('ChatHistory', () => {
  it('starts empty, in auto mode', () => {
    assert.deepEqual(new ChatHistory(new MapMemento()).load(), { turns: [], thinking: 'auto' });
  });

  it('round-trips turns, their prompts and the thinking mode', async () => {
    const memento = new MapMemento();
    const turn: StoredTurn = {
      id: 't1',
      question: 'Q',
      prompt: 'Selected…\n\nQ',
      reasoning: 'hmm',
      answer: 'A',
      finishReason: 'stop',
      thinking: { enabled: true, decidedBy: 'auto' },
      stats,
    };
    await new ChatHistory(memento).save({ turns: [turn], thinking: 'on' });
    assert.deepEqual(new ChatHistory(memento).load(), { turns: [turn], thinking: 'on' });
    assert.deepEqual(viewTurn(turn), {
      id: 't1',
      question: 'Q',
      reasoning: 'hmm',
      answer: 'A',
      finishReason: 'stop',
      thinking: turn.thinking,
      stats,
    });
  });

  it("keeps the history's share and the turns left out, and reads stats saved before them", async () => {
    const memento = new MapMemento();
    const turn = (id: string, turnStats: object): StoredTurn => ({
      id,
      question: 'Q',
      reasoning: '',
      answer: 'A',
      finishReason: 'stop',
      stats: turnStats as StoredTurn['stats'],
    });
    await new ChatHistory(memento).save({
      turns: [turn('new', { ...stats, historyTokens: 3_200, turnsLeftOut: 2 }), turn('old', stats)],
      thinking: 'auto',
    });
    assert.deepEqual(
      new ChatHistory(memento).load().turns.map((loaded) => loaded.stats),
      [{ ...stats, historyTokens: 3_200, turnsLeftOut: 2 }, stats],
    );
  });

  it('ends a turn that was streaming when the window went away as cancelled, keeping its partial answer', async () => {
    const memento = new MapMemento();
    await new ChatHistory(memento).save({
      turns: [{ id: 't1', question: 'Q', reasoning: '', answer: 'half an ans' }],
      thinking: 'auto',
    });
    assert.deepEqual(new ChatHistory(memento).load().turns, [
      { id: 't1', question: 'Q', reasoning: '', answer: 'half an ans', finishReason: 'cancelled' },
    ]);
  });

  it('drops what it cannot read and keeps the newest turns', async () => {
    const memento = new MapMemento();
    await memento.update('hearth.chat.v1', {
      thinking: 'sometimes',
      turns: [
        null,
        { id: 1 },
        {
          id: 'ok',
          question: 'Q',
          finishReason: 'exploded',
          thinking: { enabled: 'yes' },
          stats: { filesWhole: 'many' },
        },
      ],
    });
    assert.deepEqual(new ChatHistory(memento).load(), {
      turns: [{ id: 'ok', question: 'Q', reasoning: '', answer: '', finishReason: 'cancelled' }],
      thinking: 'auto',
    });
    const many = Array.from({ length: MAX_STORED_TURNS + 5 }, (_, index): StoredTurn => ({
      id: `t${index}`,
      question: 'Q',
      reasoning: '',
      answer: 'A',
      finishReason: 'stop',
    }));
    await new ChatHistory(memento).save({ turns: many, thinking: 'off' });
    const loaded = new ChatHistory(memento).load().turns;
    assert.equal(loaded.length, MAX_STORED_TURNS);
    assert.equal(loaded[0]?.id, 't5');
  });
});

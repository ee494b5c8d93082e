import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerRoom, fitConversation } from '../../../src/extension/chat/conversationFit';

describe('conversation fit', () => {
  const turns = [
    [20, 9_000],
    [30, 4_000],
    [40, 2_000],
  ] as const;

  it('keeps every earlier turn when they fit, counting each message with its template', () => {
    assert.deepEqual(
      fitConversation({
        contextLength: 32_768,
        systemTokens: 10_000,
        questionTokens: 50,
        turnTokens: turns,
        answerTokens: 2_048,
      }),
      // History 15,090 + 6 × 10; system, question and answer header 10,050 + 3 × 10.
      { turnsLeftOut: 0, historyTokens: 15_150, promptTokens: 25_230 },
    );
  });

  it('leaves out the oldest turns, never one in the middle, so the prompt and the answer fit', () => {
    // Room for history: 32,768 - 2,048 - 20,080 = 10,640. The newest three take 40 + 2,060 + 4,050 = 6,150;
    // the oldest would add 9,040.
    const fit = fitConversation({
      contextLength: 32_768,
      systemTokens: 20_000,
      questionTokens: 50,
      turnTokens: [...turns, [10, 10]],
      answerTokens: 2_048,
    });
    assert.deepEqual(fit, { turnsLeftOut: 1, historyTokens: 6_150, promptTokens: 26_230 });
    assert.ok(fit.promptTokens + 2_048 <= 32_768);
    // A long turn in the middle stops the keeping there: older turns that would fit stay out too.
    assert.deepEqual(
      fitConversation({
        contextLength: 32_768,
        systemTokens: 20_000,
        questionTokens: 50,
        turnTokens: [
          [10, 10],
          [20, 12_000],
          [10, 10],
        ],
        answerTokens: 2_048,
      }),
      { turnsLeftOut: 2, historyTokens: 40, promptTokens: 20_120 },
    );
  });

  it('leaves out every turn when the question alone fills the room, and fits exactly at the boundary', () => {
    assert.deepEqual(
      fitConversation({
        contextLength: 4_096,
        systemTokens: 3_000,
        questionTokens: 600,
        turnTokens: [[1, 1]],
        answerTokens: 512,
      }),
      { turnsLeftOut: 1, historyTokens: 0, promptTokens: 3_630 },
    );
    // Room 4,096 - 512 - 3,030 = 554: a turn of 534 + 20 fills it exactly.
    assert.deepEqual(
      fitConversation({
        contextLength: 4_096,
        systemTokens: 3_000,
        questionTokens: 0,
        turnTokens: [[34, 500]],
        answerTokens: 512,
      }),
      { turnsLeftOut: 0, historyTokens: 554, promptTokens: 3_584 },
    );
    assert.equal(
      fitConversation({
        contextLength: 4_096,
        systemTokens: 3_000,
        questionTokens: 0,
        turnTokens: [[35, 500]],
        answerTokens: 512,
      }).turnsLeftOut,
      1,
    );
  });

  it('keeps the answer limit free, or an eighth of the context (at most 4,096) when there is none', () => {
    assert.equal(answerRoom(2_048, 32_768), 2_048);
    assert.equal(answerRoom(undefined, 32_768), 4_096);
    assert.equal(answerRoom(0, 8_192), 1_024);
  });
});

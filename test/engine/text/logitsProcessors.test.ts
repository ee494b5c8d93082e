import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPresencePenalty, applyRepetitionPenalty, TokenHistory } from '../../../src/engine/text/logitsProcessors';

describe('TokenHistory and the penalties', () => {
  it('tracks distinct prompt and generated tokens, ignoring ids outside the vocabulary', () => {
    const history = new TokenHistory(10, [3, 1, 3, 42]);
    for (const id of [1, 5, 5, 7]) history.add(id);
    assert.deepEqual([...history.seen()], [3, 1, 5, 7]);
    assert.deepEqual(history.generated(), [1, 5, 7]);
  });

  it('repetition penalty: divides positive logits and multiplies negative ones, once per distinct token', () => {
    const history = new TokenHistory(4, [0, 0, 1]);
    history.add(2);
    history.add(2);
    const logits = Float32Array.of(3, -2, 0.5, 4);
    applyRepetitionPenalty(logits, history, 2);
    assert.deepEqual([...logits], [1.5, -4, 0.25, 4]);
    applyRepetitionPenalty(logits, history, 1);
    assert.deepEqual([...logits], [1.5, -4, 0.25, 4], '1 leaves the logits alone');
  });

  it('presence penalty: subtracts a flat amount from generated tokens only', () => {
    const history = new TokenHistory(4, [0]);
    history.add(2);
    history.add(2);
    const logits = Float32Array.of(3, -2, 0.5, 4);
    applyPresencePenalty(logits, history, 1.5);
    assert.deepEqual([...logits], [3, -2, -1, 4]);
    applyPresencePenalty(logits, history, -0.5);
    assert.deepEqual([...logits], [3, -2, -0.5, 4], 'a negative penalty encourages repetition');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompletionDrops, describeDropHint } from '../../../src/extension/completion/completionDrops';
import { describeStats, emptyStats } from '../../../src/extension/completion/completionStats';

describe('CompletionDrops', () => {
  it('hints after three drops in a row with the most frequent recent reason, the latest on a tie', () => {
    const counts = { overBudget: 0, cancelled: 0, modelBusy: 0 };
    let changes = 0;
    const drops = new CompletionDrops(counts, () => changes++);
    drops.drop('cancelled');
    drops.drop('overBudget');
    assert.equal(drops.hint, undefined);
    drops.drop('modelBusy');
    assert.deepEqual(drops.hint, { reason: 'modelBusy', inARow: 3 });
    drops.drop('overBudget');
    assert.deepEqual(drops.hint, { reason: 'overBudget', inARow: 4 });
    assert.deepEqual(counts, { overBudget: 2, cancelled: 1, modelBusy: 1 });
    assert.equal(changes, 2);
    drops.shown();
    assert.equal(drops.hint, undefined);
    assert.equal(changes, 3);
    drops.shown(); // no hint to take away
    assert.equal(changes, 3);
  });

  it('words the hint for the status bar', () => {
    assert.deepEqual(describeDropHint({ reason: 'modelBusy', inARow: 4 }), {
      suffix: ' (busy)',
      tooltip:
        'The last 4 completion requests showed nothing: the model was busy with other requests. "Hearth: Show Completion Statistics" counts each reason.',
    });
    assert.equal(describeDropHint({ reason: 'overBudget', inARow: 3 }).suffix, ' (slow)');
    assert.equal(describeDropHint({ reason: 'cancelled', inARow: 3 }).suffix, ' (waiting)');
  });
});

describe('describeStats', () => {
  it('counts the requests that showed nothing by reason', () => {
    const stats = {
      ...emptyStats(),
      provided: 4,
      engineRequests: 4,
      engineCancelled: 2,
      budgetExpired: 1,
      suggestions: 1,
      dropped: { overBudget: 1, cancelled: 2, modelBusy: 0 },
    };
    assert.equal(
      describeStats(stats),
      '4 engine requests (2 cancelled, 1 over the time budget, 0 failed), 4 provider calls, 0 cache hits, 0 reused, 0 warm-ups (0 finished), 1 suggestions, 3 requests that showed nothing (1 over the time budget, 2 cancelled, 0 model busy)',
    );
  });
});

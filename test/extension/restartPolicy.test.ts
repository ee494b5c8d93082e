import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartPolicy } from '../../src/extension/restartPolicy';

const options = { initialDelayMs: 500, maxDelayMs: 3_000, maxRestarts: 4, windowMs: 60_000 };

describe('RestartPolicy', () => {
  it('backs off exponentially up to the cap, then gives up', () => {
    const policy = new RestartPolicy(options);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => policy.onCrash(1_000 * i)),
      [500, 1_000, 2_000, 3_000, undefined],
    );
  });

  it('forgets crashes older than the window', () => {
    const policy = new RestartPolicy(options);
    [0, 10, 20, 30].forEach((t) => policy.onCrash(t));
    assert.equal(policy.onCrash(60_015), 2_000); // crashes at 0 and 10 expired; 20, 30 and this one count
  });

  it('starts afresh after reset', () => {
    const policy = new RestartPolicy(options);
    [0, 1, 2, 3].forEach((i) => policy.onCrash(i));
    policy.reset();
    assert.equal(policy.onCrash(4), 500);
  });
});

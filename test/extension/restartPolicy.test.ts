import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartPolicy } from '../../src/extension/restartPolicy';

const options = { initialDelayMs: 500, maxDelayMs: 3_000, maxRestarts: 4 };

describe('RestartPolicy', () => {
  it('backs off exponentially up to the cap, then gives up', () => {
    const policy = new RestartPolicy(options);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map(() => policy.onCrash()),
      [500, 1_000, 2_000, 3_000, undefined],
    );
  });

  it('gives up on an engine that crashes every 40 s without answering a request in between', () => {
    // The old policy counted crashes within 3 minutes only: five of them, spaced 40 s, restarted forever.
    const policy = new RestartPolicy();
    assert.deepEqual(
      Array.from({ length: 8 }, () => policy.onCrash()),
      [500, 1_000, 2_000, 4_000, 8_000, undefined, undefined, undefined],
    );
  });

  it('refills the budget after a successful request', () => {
    const policy = new RestartPolicy(options);
    [0, 1, 2, 3].forEach(() => policy.onCrash());
    policy.onSuccess();
    assert.deepEqual(
      [0, 1, 2, 3, 4].map(() => policy.onCrash()),
      [500, 1_000, 2_000, 3_000, undefined],
    );
  });

  it('starts afresh after a manual restart', () => {
    const policy = new RestartPolicy(options);
    [0, 1, 2, 3, 4].forEach(() => policy.onCrash());
    policy.reset();
    assert.equal(policy.onCrash(), 500);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTimeLeft, IndexProgressEstimate } from '../../../src/extension/context/indexProgress';
import { prefillProgress } from '../../../src/extension/explain/prefillEstimate';

describe('IndexProgressEstimate', () => {
  it('counts while scanning, then gives a percentage and the time left from the parsing rate', () => {
    let now = 10_000;
    const estimate = new IndexProgressEstimate(() => now);
    assert.deepEqual(estimate.update({ phase: 'scanning', filesFound: 1_234 }), {
      message: 'Indexing: 1,234 files found',
    });
    assert.deepEqual(estimate.update({ phase: 'parsing', filesDone: 0, filesTotal: 400 }), {
      message: 'Indexing: 0 of 400 files parsed (0%)',
      fraction: 0,
    });
    // The parser threads take 2 s to start: that slow start is not the rate.
    now += 2_000;
    assert.deepEqual(estimate.update({ phase: 'parsing', filesDone: 20, filesTotal: 400 }), {
      message: 'Indexing: 20 of 400 files parsed (5%)',
      fraction: 0.05,
    });
    now += 500; // half a second of measuring is too short
    assert.equal(estimate.update({ phase: 'parsing', filesDone: 120, filesTotal: 400 }).secondsLeft, undefined);
    now += 1_500; // 300 files in 2 s: 80 left take about 0.53 s
    assert.deepEqual(estimate.update({ phase: 'parsing', filesDone: 320, filesTotal: 400 }), {
      message: 'Indexing: 320 of 400 files parsed (80%), almost done',
      fraction: 0.8,
      secondsLeft: (80 * 2) / 300,
    });
  });

  it('waits for a tenth of the files before estimating', () => {
    let now = 0;
    const estimate = new IndexProgressEstimate(() => now);
    estimate.update({ phase: 'parsing', filesDone: 1, filesTotal: 10_000 });
    now += 5_000;
    assert.equal(estimate.update({ phase: 'parsing', filesDone: 900, filesTotal: 10_000 }).secondsLeft, undefined);
    now += 1_000; // 1,000 files in 6 s
    assert.equal(estimate.update({ phase: 'parsing', filesDone: 1_001, filesTotal: 10_000 }).secondsLeft, 53.994);
  });

  it('words the time left', () => {
    assert.deepEqual([0.4, 1, 12.2, 89, 150, 600].map(formatTimeLeft), [
      'almost done',
      'about 1 s left',
      'about 13 s left',
      'about 89 s left',
      'about 3 min left',
      'about 10 min left',
    ]);
  });
});

describe('prefillProgress', () => {
  it('estimates from the prompt size and the measured rate, never reaching 100% before the first token', () => {
    assert.deepEqual(prefillProgress(20_000, 400, 10_000), {
      fraction: 0.2,
      secondsLeft: 40,
      message: 'Reading 20,000 tokens of the repository (20%), about 40 s left',
    });
    assert.equal(prefillProgress(1_000, 400, 60_000).fraction, 0.99);
    assert.equal(
      prefillProgress(1_000, 400, 60_000).message,
      'Reading 1,000 tokens of the repository (99%), almost done',
    );
  });

  it('assumes a CPU-like rate before any was measured', () => {
    assert.equal(prefillProgress(1_000, 0, 5_000).secondsLeft, 5);
  });
});

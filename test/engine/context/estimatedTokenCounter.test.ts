import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimatedTokenCounter, servedOrEstimated } from '../../../src/engine/context/estimatedTokenCounter';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';

describe('estimatedTokenCounter', () => {
  it('counts UTF-8 bytes over three, rounded up', () => {
    assert.equal(estimatedTokenCounter.count(''), 0);
    assert.equal(estimatedTokenCounter.count('abc'), 1);
    assert.equal(estimatedTokenCounter.count('abcd'), 2);
    assert.equal(estimatedTokenCounter.count('héé'), 2); // 5 bytes
    assert.equal(estimatedTokenCounter.count('€😀'), 3); // 3 + 4 bytes
  });

  it('stands in only while no model is loaded; other errors go on', () => {
    const served = { count: () => 7 };
    assert.equal(servedOrEstimated(() => served)(), served);
    const none = servedOrEstimated(() => {
      throw new EngineError(EngineErrorCode.ModelNotLoaded, 'No model is loaded.');
    });
    assert.equal(none(), estimatedTokenCounter);
    const broken = servedOrEstimated(() => {
      throw new EngineError(EngineErrorCode.InternalError, 'broken');
    });
    assert.throws(broken, /broken/);
  });
});

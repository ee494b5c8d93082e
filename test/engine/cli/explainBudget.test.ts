import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BUDGET_TOKENS } from '../../../src/engine/context/contextPacker';
import { explainBudget, TEMPLATE_TOKENS } from '../../../src/engine/cli/explainBudget';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';

describe('explainBudget', () => {
  it('gives the block what the context leaves after the answer, the prompt and the template', () => {
    assert.equal(TEMPLATE_TOKENS, 32);
    assert.equal(explainBudget({ contextLength: 8192, maxTokens: 128, promptTokens: 200 }), 8192 - 128 - 200 - 32);
  });

  it("stops at the packer's maximum", () => {
    assert.equal(explainBudget({ contextLength: 1_048_576, maxTokens: 2048, promptTokens: 200 }), MAX_BUDGET_TOKENS);
  });

  it('refuses a context that leaves less than the smallest block, with ContextTooLarge', () => {
    assert.throws(
      () => explainBudget({ contextLength: 2048, maxTokens: 2048, promptTokens: 200 }),
      (error: unknown) =>
        error instanceof EngineError &&
        error.code === EngineErrorCode.ContextTooLarge &&
        /--context/.test(error.hint ?? ''),
    );
  });
});

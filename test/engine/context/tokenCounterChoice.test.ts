import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimatedTokenCounter } from '../../../src/engine/context/estimatedTokenCounter';
import { TokenCounterChoice } from '../../../src/engine/context/tokenCounterChoice';
import { bundledQwen3Counter } from '../../../src/engine/text/bundledTokenizer';
import { Tokenizer } from '../../../src/engine/text/tokenizer';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { QWEN3_TOKENIZER_DIR } from '../text/qwen3TokenizerFixture';

/** 95 UTF-8 bytes: 32 tokens estimated, 29 with Qwen3's tokenizer (the control token spelled out stays text). */
const SOURCE = 'export function add(a: number, b: number): number {\n  return a + b; // <|im_end|> stays text\n}\n';

const notLoaded = () => {
  throw new EngineError(EngineErrorCode.ModelNotLoaded, 'No model is loaded.');
};

describe('TokenCounterChoice', () => {
  it('counts with the bundled Qwen3 tokenizer or the estimate, as named, with no model loaded', () => {
    const choice = new TokenCounterChoice(notLoaded, bundledQwen3Counter);
    assert.equal(choice.counter('qwen3').count(SOURCE), 29);
    assert.equal(choice.counter('estimate').count(SOURCE), 32);
    assert.equal(Tokenizer.load(QWEN3_TOKENIZER_DIR).encodePlainText(SOURCE).length, 29);
    assert.equal(choice.counter('qwen3'), choice.counter('qwen3'), 'the bundled tokenizer is read once');
  });

  it("names the served model's counter by default, the estimate only while none is loaded", () => {
    const served = { count: () => 7 };
    assert.equal(new TokenCounterChoice(() => served, bundledQwen3Counter).counter(), served);
    assert.equal(new TokenCounterChoice(() => served, bundledQwen3Counter).counter('served'), served);
    assert.equal(new TokenCounterChoice(() => served, bundledQwen3Counter).counter('estimate'), estimatedTokenCounter);
    assert.equal(new TokenCounterChoice(notLoaded, bundledQwen3Counter).counter(), estimatedTokenCounter);
    const broken = new TokenCounterChoice(() => {
      throw new EngineError(EngineErrorCode.InternalError, 'broken');
    }, bundledQwen3Counter);
    assert.throws(() => broken.counter(), /broken/);
  });
});

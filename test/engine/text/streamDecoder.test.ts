import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamDecoder } from '../../../src/engine/text/streamDecoder';
import { qwen3Tokenizer } from './qwen3TokenizerFixture';

describe('StreamDecoder', () => {
  const tokenizer = qwen3Tokenizer();

  /** The text each token adds, then what flush() releases. */
  function deltas(ids: readonly number[]): string[] {
    const decoder = new StreamDecoder(tokenizer);
    const out = ids.map((id) => decoder.push(id));
    out.push(decoder.flush());
    return out;
  }

  it('holds back the tokens of a multi-token emoji until the character is whole', () => {
    const ids = tokenizer.encode('🦀 Rust 👩‍👩‍👧‍👦');
    assert.deepEqual(ids, [147579, 33789, 61804, 102, 378, 235, 145233, 378, 235, 145665, 378, 235, 145988]);
    assert.deepEqual(deltas(ids), [
      '🦀',
      ' Rust',
      '',
      ' 👩',
      '',
      '\u200d',
      '👩',
      '',
      '\u200d',
      '👧',
      '',
      '\u200d',
      '👦',
      '',
    ]);
  });

  it('emits CJK characters and combining marks only once complete', () => {
    assert.deepEqual(deltas(tokenizer.encode('你好，世界！')), ['你好', '，', '世界', '！', '']);
    // NFC composes é and ñ; ạ̈ keeps a combining diaeresis split over two byte-level tokens.
    const combining = tokenizer.encode('e\u0301 a\u0308\u0323 n\u0303');
    assert.deepEqual(combining, [963, 220, 20229, 136, 230, 1683, 109]);
    assert.deepEqual(deltas(combining), ['é', ' ', 'ạ', '', '\u0308', '', ' ñ', '']);
    assert.deepEqual(deltas(tokenizer.encode('नमस्ते')), ['न', 'म', 'स', '', '्त', 'े', '']);
  });

  it('never emits U+FFFD mid-stream, and its deltas always add up to the whole decode', () => {
    const texts = [
      '日本語のテキスト🎉 and ASCII',
      '함수를 호출합니다 → résumé naïve Ωμέγα',
      '🧑🏽‍💻 writes Rust 🦀; 🇯🇵🇩🇪 flags, 1️⃣ keycaps',
      'Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA',
      'mixed\u00a0spaces\ttabs\n\nnewlines\r\nand <think> tags </think>',
    ];
    for (const text of texts) {
      const ids = tokenizer.encode(text);
      const out = deltas(ids);
      assert.ok(
        out.every((delta) => !delta.includes('\uFFFD')),
        `${JSON.stringify(text)}: ${JSON.stringify(out)}`,
      );
      assert.equal(out.join(''), tokenizer.decode(ids), text);
      assert.equal(out.join(''), text.normalize('NFC'));
    }
  });

  it('skips special tokens by default and keeps them when asked', () => {
    const ids = [151644, 872, 198, 13048, 151645];
    assert.deepEqual(deltas(ids), ['', 'user', '\n', 'Hi', '', '']);
    const decoder = new StreamDecoder(tokenizer, { skipSpecialTokens: false });
    assert.deepEqual(
      ids.map((id) => decoder.push(id)),
      ['<|im_start|>', 'user', '\n', 'Hi', '<|im_end|>'],
    );
  });

  it('flushes an incomplete character as U+FFFD, as decoding the whole output would', () => {
    const decoder = new StreamDecoder(tokenizer);
    assert.equal(decoder.push(61804), '', 'the first bytes of " 👩"');
    assert.equal(decoder.flush(), tokenizer.decode([61804]));
    assert.equal(tokenizer.decode([61804]), ' \uFFFD');
    assert.equal(decoder.flush(), '', 'nothing is released twice');
    assert.deepEqual(decoder.tokenIds, [61804]);
  });

  it('lets a real U+FFFD through once the next token shows it was not a partial character', () => {
    const ids = tokenizer.encode('a\uFFFDb');
    assert.equal(deltas(ids).join(''), 'a\uFFFDb');
  });
});

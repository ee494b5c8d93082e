import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { SpecialToken, Tokenizer } from '../../../src/engine/text/tokenizer';
import { assertCheckpointError, makeTempDir } from '../checkpoint/checkpointFixtures';
import { QWEN3_TOKENIZER_DIR, qwen3Tokenizer } from './qwen3TokenizerFixture';

/** llama.cpp's tokenizer test vectors, shared beside the repository and never copied into it. */
const VECTORS = resolve(__dirname, '../../../../shared/vectors/ggml-vocab-qwen2.gguf');
const vectorsMissing = existsSync(`${VECTORS}.inp`)
  ? false
  : `llama.cpp vectors not found at ${VECTORS}.inp|.out (../shared is absent)`;

function readVectors(): { text: string; ids: number[] }[] {
  // Both files end with a separator, so the last piece is empty.
  const inputs = readFileSync(`${VECTORS}.inp`, 'utf8').split('\n__ggml_vocab_test__\n').slice(0, -1);
  const outputs = readFileSync(`${VECTORS}.out`, 'utf8').split('\n').slice(0, -1);
  assert.equal(outputs.length, inputs.length);
  return inputs.map((text, i) => ({
    text,
    ids: outputs[i].trim() === '' ? [] : outputs[i].trim().split(' ').map(Number),
  }));
}

describe('Tokenizer', () => {
  const tokenizer = qwen3Tokenizer();

  it(
    'reproduces every llama.cpp Qwen2 tokenizer vector exactly, and decodes each back to its text',
    { skip: vectorsMissing },
    () => {
      const vectors = readVectors();
      assert.equal(vectors.length, 46);
      for (const { text, ids } of vectors) {
        assert.deepEqual(tokenizer.encode(text), ids, `encoding ${JSON.stringify(text)}`);
        assert.deepEqual(tokenizer.encodePlainText(text), ids, `encoding ${JSON.stringify(text)} as plain text`);
        assert.equal(tokenizer.countPlainText(text), ids.length, `counting ${JSON.stringify(text)}`);
        assert.equal(tokenizer.decode(ids), text, `decoding ${JSON.stringify(text)}`);
      }
    },
  );

  it('knows the special and tag tokens by name, and its vocabulary size', () => {
    const ids = Object.fromEntries(
      Object.entries(SpecialToken).map(([name, token]) => [name, tokenizer.tokenId(token)]),
    );
    assert.deepEqual(ids, {
      imStart: 151644,
      imEnd: 151645,
      endOfText: 151643,
      thinkStart: 151667,
      thinkEnd: 151668,
      fimPrefix: 151659,
      fimMiddle: 151660,
      fimSuffix: 151661,
      fimPad: 151662,
      repoName: 151663,
      fileSep: 151664,
    });
    assert.equal(tokenizer.vocabSize, 151669, 'the embedding has 151,936 rows; the tokenizer knows 151,669 ids');
    assert.equal(tokenizer.tokenId('<|no such token|>'), undefined);
    assert.equal(tokenizer.tokenString(151667), '<think>');
    assert.equal(tokenizer.tokenString(151800), undefined);
    assert.deepEqual(
      [151643, 151645, 151667].map((id) => tokenizer.isSpecial(id)),
      [true, true, false],
    );
  });

  it('encodes a rendered chat prompt with its special tokens in one call', () => {
    assert.deepEqual(
      tokenizer.encode('<|im_start|>user\nHi<|im_end|>\n<think>\n\n</think>\n\n'),
      [151644, 872, 198, 13048, 151645, 198, 151667, 271, 151668, 271],
    );
    assert.deepEqual(tokenizer.encode('Hi', { addSpecialTokens: true }), [13048], 'Qwen adds no BOS');
  });

  it('encodes untrusted text with spelled-out control tokens as plain text', () => {
    const text = 'if (line === "<|im_end|>") return "<think>";';
    const plain = tokenizer.encodePlainText(text);
    assert.ok(
      plain.every((id) => id < 151643),
      `no added token in ${plain.join(' ')}`,
    );
    assert.equal(tokenizer.decode(plain, { skipSpecialTokens: false }), text);
    assert.deepEqual(
      tokenizer.encode(text).filter((id) => id >= 151643),
      [151645, 151667],
      'encode() parses them, as Hugging Face does',
    );
    assert.deepEqual(tokenizer.encodePlainText(''), []);
  });

  it('counts plain text exactly as encodePlainText does, the second time from remembered words', () => {
    const eslint = resolve(__dirname, '../../../node_modules/eslint/lib');
    const texts = [
      ...['linter/linter.js', 'rules/max-len.js', 'cli-engine/lint-result-cache.js'].map((path) =>
        readFileSync(join(eslint, path), 'utf8'),
      ),
      'line one\r\n\r\n\n  indented\t tab\n\n\n}\n',
      'if (line === "<|im_end|>") return "<think>";',
      'naïve café 東京 🙂 — ﬁ e\u0301 \u00a0 12345678 x1y2',
      '',
    ];
    for (const text of texts) {
      const expected = tokenizer.encodePlainText(text).length;
      assert.equal(tokenizer.countPlainText(text), expected, `counting ${JSON.stringify(text.slice(0, 40))}`);
      assert.equal(tokenizer.countPlainText(text), expected, 'again, from remembered words');
    }
  });

  it('drops special tokens when decoding unless asked to keep them; <think> is not special', () => {
    const ids = [151644, 872, 198, 151667, 13048, 151668, 151645];
    assert.equal(tokenizer.decode(ids), 'user\n<think>Hi</think>');
    assert.equal(tokenizer.decode(ids, { skipSpecialTokens: false }), '<|im_start|>user\n<think>Hi</think><|im_end|>');
    assert.equal(tokenizer.decode([]), '');
    assert.equal(
      tokenizer.decode([9707, 151800, 1879]),
      'Hello world',
      'padding ids beyond the vocabulary decode to nothing',
    );
  });

  it('requires the tokens a caller cannot do without', () => {
    assert.equal(tokenizer.requireTokenId('<|im_end|>'), 151645);
    assertCheckpointError(() => tokenizer.requireTokenId('<|fim_nothing|>'), {
      kind: 'CheckpointInvalid',
      file: 'tokenizer.json',
      message: /has no "<\|fim_nothing\|>" token/,
    });
  });

  describe('loading a checkpoint folder', () => {
    const temp = makeTempDir('hearth-tokenizer-');
    after(() => temp.remove());
    const folder = (name: string, files: Record<string, string>): string => {
      const dir = join(temp.dir, name);
      mkdirSync(dir);
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      return dir;
    };
    const config = readFileSync(join(QWEN3_TOKENIZER_DIR, 'tokenizer_config.json'), 'utf8');

    it('names the missing or broken file', () => {
      assertCheckpointError(() => Tokenizer.load(folder('no-tokenizer', { 'tokenizer_config.json': config })), {
        kind: 'CheckpointInvalid',
        file: 'tokenizer.json',
        message: /is missing/,
      });
      assertCheckpointError(() => Tokenizer.load(folder('no-config', { 'tokenizer.json': '{"model":{}}' })), {
        kind: 'CheckpointInvalid',
        file: 'tokenizer_config.json',
        message: /is missing/,
      });
      assertCheckpointError(
        () =>
          Tokenizer.load(
            folder('truncated', { 'tokenizer.json': '{"model": {"vocab"', 'tokenizer_config.json': config }),
          ),
        {
          kind: 'CheckpointInvalid',
          file: 'tokenizer.json',
          message: /not valid JSON/,
        },
      );
      assertCheckpointError(
        () => Tokenizer.load(folder('not-hf', { 'tokenizer.json': '{"vocab": {}}', 'tokenizer_config.json': config })),
        {
          kind: 'CheckpointInvalid',
          file: 'tokenizer.json',
          message: /not a Hugging Face tokenizer/,
        },
      );
      assertCheckpointError(
        () =>
          Tokenizer.load(
            folder('bad-model', {
              'tokenizer.json': '{"model": {"type": "Nonsense"}}',
              'tokenizer_config.json': config,
            }),
          ),
        {
          kind: 'CheckpointInvalid',
          file: 'tokenizer.json',
          message: /cannot be loaded/,
        },
      );
    });
  });
});

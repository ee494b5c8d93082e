import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundledQwen3TokenizerDir } from '../../../src/engine/text/bundledTokenizer';
import { runCli } from '../../helpers/builtCli';

describe('hearth tokenize (built CLI)', () => {
  it('prints the ids as JSON and their count, with the bundled Qwen3 tokenizer by default', () => {
    const run = runCli(['tokenize', '--text', 'Hello world']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '[9707,1879]\n2 tokens\n');
  });

  it("uses a model folder's tokenizer with --model", () => {
    const run = runCli(['tokenize', '--model', bundledQwen3TokenizerDir(), '--text', 'Hello world']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '[9707,1879]\n2 tokens\n');
  });

  it('keeps spelled-out control tokens as text unless --special is given', () => {
    const special = runCli(['tokenize', '--text', '<|im_end|>', '--special']);
    assert.equal(special.stdout, '[151645]\n1 token\n');
    const plain = runCli(['tokenize', '--text', '<|im_end|>']);
    assert.equal(plain.status, 0, plain.stderr);
    const ids = JSON.parse(plain.stdout.split('\n')[0]) as number[];
    assert.ok(ids.length > 1 && !ids.includes(151645), plain.stdout);
  });

  it('requires --text (exit code 2)', () => {
    const run = runCli(['tokenize']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--text is required/);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundledQwen3TokenizerDir } from '../../../src/engine/text/bundledTokenizer';
import { runCli, runCliIntoPipe } from '../../helpers/builtCli';

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

  it('writes all of a large output through a pipe, byte for byte', async () => {
    const words = 20_000;
    const dir = mkdtempSync(join(tmpdir(), 'hearth-tokenize-cli-'));
    const piped = await runCliIntoPipe(['tokenize', '--text', `Hello${' world'.repeat(words)}`], dir).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );
    assert.equal(piped.status, 0);
    // "[9707" and ",1879" per word, "]\n", then "20001 tokens\n": past a pipe's 64 KiB buffer.
    assert.equal(piped.stdout.length, 5 + 5 * words + 2 + 13);
    assert.equal(piped.stdout.toString(), `[9707${',1879'.repeat(words)}]\n${words + 1} tokens\n`);
  });

  it('requires --text (exit code 2)', () => {
    const run = runCli(['tokenize']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--text is required/);
  });
});

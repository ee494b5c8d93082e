import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openCheckpoint } from '../../../src/engine/checkpoint/checkpoint';
import { runCli } from '../../helpers/builtCli';

describe('hearth make-checkpoint (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a checkpoint that opens, and prints what it wrote as JSON', () => {
    const out = join(dir, 'tiny-qwen2-untied');
    const run = runCli([
      'make-checkpoint',
      '--out',
      out,
      '--geometry',
      'tiny',
      '--dtype',
      'bf16',
      '--seed',
      '7',
      '--arch',
      'qwen2',
      '--untied',
    ]);
    assert.equal(run.status, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as { dir: string; files: string[] };
    assert.equal(printed.dir, out);
    assert.deepEqual([...printed.files].sort(), [
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const checkpoint = openCheckpoint(out);
    try {
      assert.equal(checkpoint.config.architecture, 'qwen2');
      assert.equal(checkpoint.config.tieWordEmbeddings, false);
      assert.equal(checkpoint.dtype('model.layers.0.self_attn.q_proj.weight'), 'BF16');
    } finally {
      checkpoint.close();
    }
    assert.deepEqual(
      (JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { architectures: string[] }).architectures,
      ['Qwen2ForCausalLM'],
    );
  });

  it('rejects bad usage with exit code 2 and the usage line', () => {
    const run = runCli(['make-checkpoint', '--out', join(dir, 'x'), '--geometry', 'huge', '--dtype', 'fp8']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--geometry must be one of tiny, 0\.6b, 4b, not "huge"/);
    assert.match(run.stderr, /usage: hearth make-checkpoint --out DIR/);
  });

  it('rejects an unknown option and an unknown command with exit code 2', () => {
    assert.equal(runCli(['make-checkpoint', '--bogus']).status, 2);
    const unknown = runCli(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });
});

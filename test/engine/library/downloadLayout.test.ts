import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DownloadError } from '../../../src/engine/library/downloadError';
import { assertSafeRepoPath, defaultModelDir, fileLocations } from '../../../src/engine/library/downloadLayout';
import { selectDownloadFiles } from '../../../src/engine/library/modelDownloader';

describe('download layout', () => {
  it('puts a model under the cache folder as organisation--name', () => {
    assert.equal(
      defaultModelDir('Qwen/Qwen3-4B-FP8', join('/cache', 'hearth')),
      join('/cache', 'hearth', 'models', 'Qwen--Qwen3-4B-FP8'),
    );
  });

  it('stages a file, its part and the sidecar of the part side by side in the staging folder', () => {
    const staging = join('/m', '.hearth-download');
    assert.deepEqual(fileLocations('/m', 'docs/a.md'), {
      final: join('/m', 'docs/a.md'),
      staged: join(staging, 'docs/a.md'),
      part: join(staging, 'docs/a.md.part'),
      sidecar: join(staging, 'docs/a.md.part.json'),
    });
  });

  it('refuses listed paths that would leave the folder or touch its bookkeeping', () => {
    for (const path of [
      '../evil',
      'a/../../b',
      '/etc/passwd',
      'C:/x',
      'a\\b',
      'a//b',
      './a',
      '',
      '.hearth-complete',
      '.hearth-download/x',
      '.hearth-download.lock',
      'weights.part',
      'a/b.part.json',
    ]) {
      assert.throws(
        () => assertSafeRepoPath(path),
        (error: unknown) => error instanceof DownloadError && error.failure === 'protocol',
        path,
      );
    }
    for (const path of ['config.json', 'original/params.json', '.gitattributes', 'a..b']) assertSafeRepoPath(path);
  });

  it('skips other weight formats when the repository has safetensors', () => {
    const listed = ['model.safetensors', 'pytorch_model.bin', 'model.gguf', 'onnx/model.onnx', 'config.json'].map(
      (path) => ({ path, size: 1 }),
    );
    assert.deepEqual(
      selectDownloadFiles(listed).map((f) => f.path),
      ['model.safetensors', 'config.json'],
    );
    assert.deepEqual(
      selectDownloadFiles(listed.slice(1, 2)).map((f) => f.path),
      ['pytorch_model.bin'],
    );
  });
});

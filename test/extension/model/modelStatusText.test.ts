import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelStatusText } from '../../../src/extension/model/modelStatusText';

const model = {
  path: '/cache/models/Qwen--Qwen3-4B-Instruct-2507-FP8',
  contextLength: 32_768,
  quantization: 'int8' as const,
  kvCache: 'float32' as const,
};

describe('modelStatusText', () => {
  it('shows the model and the last tokens/s', () => {
    assert.deepEqual(modelStatusText({ model, tokensPerSecond: 9.84 }), {
      text: '$(flame) Qwen3-4B-Instruct-2507-FP8 · 9.8 tok/s',
      tooltip:
        'Hearth: Qwen3-4B-Instruct-2507-FP8 (32,768 tokens of context, int8 weights, float32 KV cache), last answer at 9.8 tokens/s. Click to choose another model.',
    });
    assert.equal(modelStatusText({ model })?.text, '$(flame) Qwen3-4B-Instruct-2507-FP8');
  });

  it("shows a remote server's model at its host, and no weights or KV cache", () => {
    const remote = { ...model, path: 'Qwen/Qwen3-4B-Instruct-2507-FP8 @ gpu-box:8000', contextLength: 262_144 };
    assert.deepEqual(modelStatusText({ model: remote, server: 'http://gpu-box:8000/v1', tokensPerSecond: 61.04 }), {
      text: '$(remote) Hearth: Qwen3-4B-Instruct-2507-FP8 @ gpu-box:8000 · 61.0 tok/s',
      tooltip:
        'Hearth: Qwen3-4B-Instruct-2507-FP8 @ gpu-box:8000 on the model server at http://gpu-box:8000/v1 (262,144 tokens of context), last answer at 61.0 tokens/s. Click to choose another of its models.',
    });
  });

  it('names the 8-bit KV cache in the tooltip', () => {
    assert.equal(
      modelStatusText({ model: { ...model, kvCache: 'int8' } })?.tooltip,
      'Hearth: Qwen3-4B-Instruct-2507-FP8 (32,768 tokens of context, int8 weights, 8-bit KV cache). Click to choose another model.',
    );
  });

  it('shows why the configured model cannot be served, until a load is in progress', () => {
    const error = 'config.json: is missing: this is not a Hugging Face checkpoint folder.';
    assert.deepEqual(modelStatusText({ error }), {
      text: '$(error) Hearth: model error',
      tooltip: `Hearth: ${error} Click to choose a model.`,
    });
    assert.equal(modelStatusText({ model, error }).text, '$(error) Hearth: model error');
    assert.equal(modelStatusText({ error, loading: '/models/tiny' }).text, '$(loading~spin) Hearth: loading tiny');
    assert.equal(
      modelStatusText({ loading: '/models/tiny', loadingPercent: 45.9 }).text,
      '$(loading~spin) Hearth: loading tiny 45%',
    );
  });

  it('shows a load in progress, and says when no model is loaded', () => {
    assert.deepEqual(modelStatusText({ model, loading: '/models/tiny' }), {
      text: '$(loading~spin) Hearth: loading tiny',
      tooltip: 'Hearth: loading /models/tiny',
    });
    assert.deepEqual(modelStatusText({ tokensPerSecond: 3 }), {
      text: '$(flame) Hearth: no model',
      tooltip: 'Hearth: no model is loaded. Click to choose one.',
    });
  });
});

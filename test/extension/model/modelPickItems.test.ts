import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelLibrary } from '../../../src/engine/library/modelLibrary';
import { Logger } from '../../../src/engine/base/logger';
import { CHOOSE_FOLDER_LABEL, modelName, modelPickItems } from '../../../src/extension/model/modelPickItems';
import type { KvCacheChoice, ModelCatalogueResult } from '../../../src/shared/protocol';

const GIB = 1024 ** 3;

/** The engine's own catalogue for a machine with 16 GiB free: with a float32 KV cache the 4B models are tight, 0.6B fits. */
function catalogue(freeBytes = 16 * GIB, kvCache: KvCacheChoice = 'float32'): ModelCatalogueResult {
  const library = new ModelLibrary({
    logger: new Logger('error', () => {}),
    memory: () => ({ freeBytes, totalBytes: 16 * GIB }),
    cacheDir: '/cache',
  });
  return library.catalogue({ kvCache });
}

const view = (items: ReturnType<typeof modelPickItems>) => items.map(({ label, description }) => [label, description]);

describe('modelPickItems', () => {
  it('lists every catalogue model with kind, size and fit, then "Choose a local folder…"', () => {
    const items = modelPickItems(catalogue(), { offerFolder: true });
    assert.deepEqual(view(items), [
      ['Qwen3-4B-Instruct-2507-FP8', 'instruct · 5.2 GB · $(warning) tight: up to 26,880 tokens'],
      ['Qwen3-4B-Thinking-2507-FP8', 'thinking · 5.2 GB · $(warning) tight: up to 26,880 tokens'],
      ['Qwen3-4B-FP8', 'hybrid thinking · 5.2 GB · $(warning) tight: up to 26,880 tokens'],
      ['Qwen3-0.6B-FP8', 'hybrid thinking · 1.0 GB · fits: up to 40,960 tokens'],
      [CHOOSE_FOLDER_LABEL, 'a Hugging Face checkpoint folder with config.json'],
    ]);
    assert.equal(items[0].detail, 'Qwen3 4B Instruct (2507): answers directly, long context. The default.');
    assert.deepEqual(
      items.map((item) => item.action.kind),
      ['catalogue', 'catalogue', 'catalogue', 'catalogue', 'folder'],
    );
    assert.ok(items.every((item) => !item.current));
  });

  it('shows the context the KV cache setting gets: with auto, the 8-bit cache fits 102,708 tokens of 4B in 16 GiB', () => {
    assert.deepEqual(view(modelPickItems(catalogue(16 * GIB, 'auto'), { offerFolder: false })).slice(0, 1), [
      ['Qwen3-4B-Instruct-2507-FP8', 'instruct · 5.2 GB · fits: up to 102,708 tokens'],
    ]);
  });

  it('says why a model does not fit, in place of its description', () => {
    const items = modelPickItems(catalogue(6 * GIB), { offerFolder: false });
    assert.equal(items[0].description, 'instruct · 5.2 GB · $(error) does not fit in free memory');
    assert.match(
      items[0].detail ?? '',
      /^Does not fit: 4\.2 GiB of weights and a 4,096-token context need 8\.0 GiB free memory; 6\.0 GiB is free\./,
    );
    assert.equal(items.length, 4, 'no folder item for "Download Model"');
  });

  it('marks the current model, downloaded and partly downloaded models', () => {
    const result = catalogue();
    result.models[0] = {
      ...result.models[0],
      download: { ...result.models[0].download, state: 'incomplete', revision: 'main' },
    };
    result.models[3] = { ...result.models[3], download: { ...result.models[3].download, state: 'complete' } };
    const items = modelPickItems(result, { currentPath: '/cache/models/Qwen--Qwen3-0.6B-FP8/', offerFolder: true });
    assert.deepEqual(view(items).slice(0, 4), [
      [
        'Qwen3-4B-Instruct-2507-FP8',
        'instruct · 5.2 GB, partly downloaded: resumes · $(warning) tight: up to 26,880 tokens',
      ],
      ['Qwen3-4B-Thinking-2507-FP8', 'thinking · 5.2 GB · $(warning) tight: up to 26,880 tokens'],
      ['Qwen3-4B-FP8', 'hybrid thinking · 5.2 GB · $(warning) tight: up to 26,880 tokens'],
      ['$(check) Qwen3-0.6B-FP8', 'hybrid thinking · 1.0 GB, downloaded · fits: up to 40,960 tokens'],
    ]);
    assert.deepEqual(
      items.map((item) => item.current),
      [false, false, false, true, false],
    );
  });

  it('puts a current local folder first, marked', () => {
    const items = modelPickItems(catalogue(), { currentPath: '/models/my-qwen3', offerFolder: true });
    assert.deepEqual(
      {
        label: items[0].label,
        description: items[0].description,
        detail: items[0].detail,
        action: items[0].action,
        current: items[0].current,
      },
      {
        label: '$(check) my-qwen3',
        description: 'current model · local folder',
        detail: '/models/my-qwen3',
        action: { kind: 'current', path: '/models/my-qwen3' },
        current: true,
      },
    );
    assert.equal(items.length, 6);
  });

  it("names models by the last part of their id or folder, without the download folder's organisation", () => {
    assert.deepEqual(
      [
        'Qwen/Qwen3-4B-FP8',
        '/home/me/.cache/hearth/models/Qwen--Qwen3-4B-Instruct-2507-FP8',
        'C:\\models\\tiny\\',
        'my-model-v2',
      ].map(modelName),
      ['Qwen3-4B-FP8', 'Qwen3-4B-Instruct-2507-FP8', 'tiny', 'my-model-v2'],
    );
  });
});

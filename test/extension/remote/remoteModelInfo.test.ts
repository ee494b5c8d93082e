/** hearth.engine.url as a base URL, and a server's model as the extension's ModelInfo. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError } from '../../../src/extension/errorDescription';
import { remoteBaseUrl, serverHost } from '../../../src/extension/remote/remoteBaseUrl';
import {
  ASSUMED_REMOTE_CONTEXT,
  isRemoteModel,
  remoteModelInfo,
  remoteTokenizer,
} from '../../../src/extension/remote/remoteModelInfo';
import { promptStyleFor } from '../../../src/extension/completion/promptStyle';
import { contextBudget } from '../../../src/extension/context/contextBudget';

describe('remoteBaseUrl', () => {
  it('adds /v1 to a bare address and drops trailing slashes', () => {
    assert.equal(remoteBaseUrl('http://localhost:11434'), 'http://localhost:11434/v1');
    assert.equal(remoteBaseUrl(' http://localhost:11434/ '), 'http://localhost:11434/v1');
    assert.equal(remoteBaseUrl('https://gpu.example.com/v1/'), 'https://gpu.example.com/v1');
    assert.equal(remoteBaseUrl('http://10.0.0.2:8080/openai/v1'), 'http://10.0.0.2:8080/openai/v1');
    assert.equal(serverHost('http://10.0.0.2:8080/openai/v1'), '10.0.0.2:8080');
  });

  it('says to set the URL when it is empty or not http(s)', () => {
    for (const [setting, message] of [
      ['', /hearth\.engine\.url is empty/],
      ['localhost:8000', /is not an http:\/\/ or https:\/\/ URL/],
      ['gpu box', /is not an http:\/\/ or https:\/\/ URL/],
    ] as const) {
      assert.throws(
        () => remoteBaseUrl(setting),
        (error: unknown) => {
          const described = describeError(error);
          assert.match(described.message, message);
          assert.deepEqual([described.actions, described.setting], [['openSettings', 'retry'], 'hearth.engine.url']);
          return true;
        },
      );
    }
  });
});

describe('remoteModelInfo', () => {
  const baseUrl = 'http://gpu-box:8000/v1';

  it("names the model at its server and takes the server's context for the repository budget", () => {
    const info = remoteModelInfo(
      { id: 'Qwen/Qwen3-4B-Instruct-2507-FP8', contextLength: 262_144 },
      { baseUrl, role: 'chat', contextSetting: 0 },
    );
    assert.deepEqual(
      [info.path, info.kind, info.contextLength, info.hasFimTokens],
      ['Qwen/Qwen3-4B-Instruct-2507-FP8 @ gpu-box:8000', 'instruct-2507', 262_144, false],
    );
    assert.equal(contextBudget(0, info.contextLength), 192_512);
    assert.equal(isRemoteModel(info), true);
    assert.equal(isRemoteModel({ path: '/home/me/models/Qwen3-4B' }), false);
  });

  it('assumes a context when the server reports none: the setting, else Ollama’s default', () => {
    const model = { id: 'qwen3:8b', contextLength: undefined };
    assert.equal(
      remoteModelInfo(model, { baseUrl, role: 'chat', contextSetting: 0 }).contextLength,
      ASSUMED_REMOTE_CONTEXT,
    );
    assert.equal(remoteModelInfo(model, { baseUrl, role: 'chat', contextSetting: 16_384 }).contextLength, 16_384);
    assert.equal(remoteModelInfo(model, { baseUrl, role: 'chat', contextSetting: 0 }).kind, 'hybrid');
    assert.equal(
      remoteModelInfo(
        { id: 'Qwen3-4B-Thinking-2507', contextLength: 8192 },
        { baseUrl, role: 'chat', contextSetting: 0 },
      ).kind,
      'thinking-2507',
    );
  });

  it('completes with FIM prompts on a FIM-trained model, with chat prompts otherwise or once suffix is refused', () => {
    const style = (id: string, fimRefused = false) =>
      promptStyleFor(
        remoteModelInfo({ id, contextLength: 32_768 }, { baseUrl, role: 'completion', contextSetting: 0, fimRefused }),
      );
    assert.deepEqual(
      [style('qwen2.5-coder:7b'), style('Qwen/Qwen2.5-Coder-7B'), style('qwen3:8b'), style('qwen2.5-coder:7b', true)],
      ['fim', 'fim', 'chat', 'chat'],
    );
  });
});

describe('remoteTokenizer', () => {
  it("counts a Qwen3 or Qwen2.5 model's tokens with the bundled Qwen3 tokenizer, any other's with the estimate", () => {
    const expectTokenizer = (ids: string[], tokenizer: string) =>
      assert.deepEqual(
        ids.map((id) => [id, remoteTokenizer(id)]),
        ids.map((id) => [id, tokenizer]),
      );
    const qwen3 = [
      'Qwen/Qwen3-4B-Instruct-2507-FP8',
      'qwen3:4b',
      'qwen3',
      'qwen3:latest',
      'Qwen3-0.6B',
      'qwen3-30b-a3b',
      'qwen2.5-coder:7b',
      'Qwen/Qwen2.5-7B-Instruct',
      'Qwen/Qwen2.5-Coder-32B-Instruct',
      'qwen2.5:latest',
      'Qwen2-7B',
    ];
    expectTokenizer(qwen3, 'qwen3');
    const others = [
      'Qwen/Qwen2.5-VL-7B-Instruct',
      'qwen2.5vl:7b',
      'Qwen/Qwen2.5-Math-7B',
      'Qwen/Qwen3.5-9B',
      'qwen3-coder:30b',
      'Qwen/Qwen3-VL-8B-Instruct',
      'llama3.2:3b',
      'tiny',
    ];
    expectTokenizer(others, 'estimate');
  });
});

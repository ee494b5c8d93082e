import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describePack, describeUsage, turnStats } from '../../../src/extension/chat/turnStats';
import { explainFooter, explainHeader } from '../../../src/extension/explain/explainDocument';

const pack = {
  filesWhole: 12,
  filesOutlined: 30,
  filesListed: 5,
  filesOmitted: 0,
  tokens: 20_114,
  budget: 20_480,
  elapsedMs: 40,
};
const usage = {
  promptTokens: 20_400,
  cachedTokens: 20_100,
  completionTokens: 812,
  prefillTokensPerSecond: 410.4,
  decodeTokensPerSecond: 9.84,
  timeToFirstTokenMs: null,
};

describe('explain document frame', () => {
  it('heads the document with the workspace, the model and what it saw', () => {
    assert.equal(
      explainHeader('demo', 'tiny-qwen3', pack),
      '# demo: how this codebase works\n\n> Written by Hearth with tiny-qwen3 on this machine. Context: 12 files whole, 30 outlined, 5 more named in the map · 20,114 of 20,480 context tokens.\n\n',
    );
    assert.equal(
      explainHeader('demo', 'Qwen3-4B-Instruct-2507-FP8 @ gpu-box:8000', pack, true).split('\n')[2],
      '> Written by Hearth with Qwen3-4B-Instruct-2507-FP8 @ gpu-box:8000, a remote model server. Context: 12 files whole, 30 outlined, 5 more named in the map · 20,114 of 20,480 context tokens.',
    );
  });

  it('ends it with how it ended, cache use and speeds', () => {
    assert.equal(
      explainFooter({ finishReason: 'length', usage }),
      '\n\n---\n\n*Hearth: stopped at the token limit · prompt 20,400 tokens (20,100 cached) · prefill 410 tok/s · decode 9.8 tok/s · 812 tokens written*\n',
    );
  });
});

describe('turn stats', () => {
  it('combines the pack and the usage for the context line', () => {
    assert.deepEqual(turnStats(pack, usage), {
      filesWhole: 12,
      filesOutlined: 30,
      filesListed: 5,
      contextTokens: 20_114,
      promptTokens: 20_400,
      cachedTokens: 20_100,
      completionTokens: 812,
      prefillTokensPerSecond: 410.4,
      decodeTokensPerSecond: 9.84,
      timeToFirstTokenMs: 0,
    });
    assert.equal(turnStats(undefined, usage).contextTokens, 0);
  });

  it('says when files were left out', () => {
    assert.equal(
      describePack({ ...pack, filesWhole: 1, filesOmitted: 3 }),
      '1 file whole, 30 outlined, 5 more named in the map, 3 only counted in it · 20,114 of 20,480 context tokens',
    );
    assert.equal(
      describePack({ ...pack, filesWhole: 1, filesExcerpted: 2, overviewTokens: 6_100 }),
      '1 file whole, 2 excerpts, 30 outlined, 5 more named in the map · 20,114 of 20,480 context tokens (6,100 overview)',
    );
    assert.equal(
      describePack({ ...pack, filesWhole: 1, estimated: true }),
      '1 file whole, 30 outlined, 5 more named in the map · 20,114 of 20,480 context tokens, estimated',
    );
    assert.equal(
      describeUsage({ ...usage, prefillTokensPerSecond: 0 }),
      'prompt 20,400 tokens (20,100 cached) · decode 9.8 tok/s · 812 tokens written',
    );
  });

  it('shows no prefill speed over fewer than 16 computed tokens, and never more cached tokens than the prompt', () => {
    assert.equal(
      describeUsage({ ...usage, cachedTokens: 20_399, prefillTokensPerSecond: 12 }),
      'prompt 20,400 tokens (20,399 cached) · decode 9.8 tok/s · 812 tokens written',
    );
    assert.equal(
      describeUsage({ ...usage, cachedTokens: 20_384, prefillTokensPerSecond: 95.25 }),
      'prompt 20,400 tokens (20,384 cached) · prefill 95.3 tok/s · decode 9.8 tok/s · 812 tokens written',
    );
    assert.equal(
      describeUsage({ ...usage, cachedTokens: 20_500 }),
      'prompt 20,400 tokens (20,400 cached) · decode 9.8 tok/s · 812 tokens written',
    );
  });
});

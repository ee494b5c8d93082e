/**
 * The repository prefix prefilled in the background (context/prefill) on a real tiny model: it is where every
 * chat over the block starts, it yields to a completion at the next run boundary and resumes where it stopped,
 * and a question that arrives mid-way uses what is done.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Logger } from '../../../src/engine/base/logger';
import { ContextService } from '../../../src/engine/context/contextService';
import { encodeChatPrompt } from '../../../src/engine/generation/chatPrompt';
import type { GenerationService } from '../../../src/engine/generation/generationService';
import { ChatTemplate } from '../../../src/engine/text/chatTemplate';
import { Tokenizer } from '../../../src/engine/text/tokenizer';
import { EngineError } from '../../../src/shared/engineError';
import {
  EngineErrorCode,
  type ChatResult,
  type CompleteResult,
  type ContextPrefillProgressParams,
} from '../../../src/shared/protocol';
import { observePrefill, TinyModelFixture, type PrefillHook } from './tinyModelFixture';
import { parseEngineParams } from '../../../src/shared/wire/parseEngineParams';
import type { OnnxDecoder } from '../../../src/engine/onnx/onnxDecoder';
import { commonPrefixLength } from '../../../src/engine/generation/prefixCache';

const never = new AbortController().signal;
const RUN_TOKENS = 16;
const BUDGET = 700;
const INSTRUCTIONS = 'Answer questions about the repository above.';

/** A small repository: a README, a manifest and a few modules. */
function writeRepository(root: string): void {
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'README.md'), '# Tally\n\nCounts words in text files and prints the ten most common.\n');
  writeFileSync(join(root, 'package.json'), '{ "name": "tally", "version": "1.0.0", "main": "src/main.js" }\n');
  for (let i = 0; i < 6; i++)
    writeFileSync(
      join(root, 'src', `part${i}.js`),
      `export function count${i}(words) {\n  const seen = new Map();\n  for (const word of words) seen.set(word, (seen.get(word) ?? 0) + ${i});\n  return seen;\n}\n`,
    );
}

/** Records the main sequence's row traffic: what a switch to another request's tokens costs. */
function observeRowCalls(decoder: OnnxDecoder, calls: string[]): void {
  const [truncate, copyRows, appendRows] = [
    decoder.truncate.bind(decoder),
    decoder.copyRows.bind(decoder),
    decoder.appendRows.bind(decoder),
  ];
  decoder.truncate = (length) => {
    calls.push(`truncate ${length}`);
    truncate(length);
  };
  decoder.copyRows = (from, to) => {
    calls.push(`copyRows ${from}-${to}`);
    return copyRows(from, to);
  };
  decoder.appendRows = (rows, offset, count) => {
    calls.push(`appendRows ${count}`);
    appendRows(rows, offset, count);
  };
}

describe('Repository prefill in the background', () => {
  const fixture = new TinyModelFixture();
  const repository = mkdtempSync(join(tmpdir(), 'hearth-prefill-repo-'));
  /** Decoder runs (prefill chunks and decode steps) in order, by their token count, while set. */
  let runs: number[] | undefined;
  /** The sequence each of `runs` ran on. */
  let sequences: string[] = [];
  /** Calls that copy, cut or restore rows of the main sequence, in order. */
  let rowCalls: string[] = [];
  let onRun: ((run: number) => void) | undefined;
  let service: GenerationService;
  let context: ContextService;
  let tokenizer: Tokenizer;
  let template: ChatTemplate;

  const prefill = (
    onProgress: (progress: ContextPrefillProgressParams) => void = () => {},
    on = service,
    questionShare?: number,
  ) =>
    on.prefillRepository(
      { budget: BUDGET, format: 'markdown', questionShare },
      (request, signal) => context.pack(request, signal),
      onProgress,
      never,
    );
  /** A chat question's messages, its block packed for that question as the extension packs it. */
  const chatMessages = (question: string, questionShare?: number) => {
    const block = context.pack({ budget: BUDGET, format: 'markdown', questionShare, focus: { query: question } });
    return [
      { role: 'system' as const, content: `${block.text.trimEnd()}\n\n${INSTRUCTIONS}` },
      { role: 'user' as const, content: question },
    ];
  };
  const ask = (question: string, questionShare?: number) =>
    service.chat(
      parseEngineParams('chat', {
        requestId: question,
        messages: chatMessages(question, questionShare),
        thinking: 'off',
        maxTokens: 1,
      }),
      () => {},
      never,
    );

  before(async () => {
    await fixture.write();
    writeRepository(repository);
    tokenizer = Tokenizer.load(fixture.checkpoint);
    template = ChatTemplate.load(fixture.checkpoint);
  });
  /** A new service with nothing cached; KV snapshots off, so nothing is found on disk either. */
  beforeEach(async () => {
    runs = undefined;
    onRun = undefined;
    sequences = [];
    rowCalls = [];
    const hooks: { after?: PrefillHook } = {
      after: (tokens, _call, sequence) => {
        runs?.push(tokens.length);
        if (runs !== undefined) sequences.push(sequence);
        onRun?.(runs?.length ?? 0);
      },
    };
    service = fixture.service({ prefillChunkTokens: RUN_TOKENS, snapshotDiskBytes: 0 }, (decoder) => {
      observePrefill(decoder, hooks);
      observeRowCalls(decoder, rowCalls);
    });
    await service.loadModel(fixture.loadParams, () => {}, never);
    context = new ContextService({ cacheDir: join(fixture.root, 'index'), tokenCounter: () => service.tokenCounter() });
    await context.index({ roots: [repository] });
  });
  afterEach(async () => {
    await service.dispose();
    await context.dispose();
  });
  after(async () => {
    await fixture.dispose();
    rmSync(repository, { recursive: true, force: true });
  });

  it('refuses a budget it cannot pack, saying what to send', () => {
    assert.throws(
      () => parseEngineParams('context/prefill', { budget: 12 }),
      (error: unknown) => {
        assert.ok(error instanceof EngineError);
        assert.equal(error.code, EngineErrorCode.InvalidParams);
        assert.equal(
          error.message,
          'Invalid context/prefill params: budget must be a whole number from 256 to 262144, not 12.',
        );
        assert.equal(error.hint, 'Send { budget, format?: "qwen" | "markdown", questionShare? }.');
        return true;
      },
    );
  });

  it('is the first tokens of a chat prompt packed for a question, which then finds it cached', async () => {
    const messages = chatMessages('How are words counted?');
    const prompt = encodeChatPrompt(template, tokenizer, messages, {
      addGenerationPrompt: true,
      enableThinking: false,
    });
    const result = await prefill();
    assert.equal(result.cancelled, false);
    assert.equal(result.cachedTokens, 0);
    assert.ok(result.tokens > 100, `${result.tokens} tokens`);
    const chat = await ask('How are words counted?');
    assert.equal(chat.usage.promptTokens, prompt.length);
    assert.equal(chat.usage.cachedTokens, result.tokens);
  });

  it('covers most of the prompt with a small question share, packed the same way by the chat', async () => {
    const small = await prefill(undefined, service, 0.1);
    const chat = await ask('How are words counted?', 0.1);
    assert.equal(chat.usage.cachedTokens, small.tokens);
    const usual = await prefill();
    const other = await ask('How are words counted?');
    assert.equal(other.usage.cachedTokens, usual.tokens);
    // The scaffold, instructions and question stay outside the prefix: 81% of this short prompt against 34%.
    assert.ok(small.tokens / chat.usage.promptTokens > 0.75, `${small.tokens} of ${chat.usage.promptTokens}`);
    assert.ok(usual.tokens / other.usage.promptTokens < 0.4, `${usual.tokens} of ${other.usage.promptTokens}`);
  });

  it('yields to a completion at the next run boundary and resumes where it stopped', async () => {
    runs = [];
    let completion: Promise<CompleteResult> | undefined;
    const finished: string[] = [];
    onRun = (run) => {
      if (run === 1)
        completion = service
          .complete(parseEngineParams('complete', { prompt: 'let total =', maxTokens: 2 }), never)
          .finally(() => finished.push('completion'));
    };
    const progress: ContextPrefillProgressParams[] = [];
    const result = await prefill((report) => progress.push(report)).finally(() => finished.push('prefill'));
    const completed = await completion!;

    assert.deepEqual(finished, ['completion', 'prefill']);
    assert.equal(result.cancelled, false);
    // One prefill run, then the completion's prompt and its one decode step on the completion sequence, then the
    // prefill's other runs, which start where the first stopped: together they compute each prefix token once.
    assert.equal(runs[0], RUN_TOKENS);
    assert.deepEqual(runs.slice(1, 3), [completed.usage.promptTokens, 1]);
    assert.deepEqual(sequences.slice(0, 4), ['main', 'completions', 'completions', 'main']);
    assert.ok(sequences.slice(3).every((sequence) => sequence === 'main'));
    const prefillRuns = [runs[0], ...runs.slice(3)];
    assert.equal(
      prefillRuns.reduce((sum, run) => sum + run, 0),
      result.tokens,
    );
    assert.deepEqual(
      progress.map((report) => report.done),
      [0, ...prefillRuns.map((_, i) => Math.min(result.tokens, (i + 1) * RUN_TOKENS))],
    );
    assert.ok(progress.every((report) => report.total === result.tokens));
  });

  it('keeps its rows in place while completions run: none cut, copied out or back, and a chat finds them', async () => {
    runs = [];
    const completions: Promise<CompleteResult>[] = [];
    onRun = (run) => {
      if (run === 2 || run === 6)
        completions.push(
          service.complete(parseEngineParams('complete', { prompt: `let total${run} =`, maxTokens: 2 }), never),
        );
    };
    const result = await prefill();
    const completed = await Promise.all(completions);
    assert.equal(result.cancelled, false);
    assert.equal(completed.length, 2);
    // The second completion reuses the prefix it shares with the first, left on their own sequence.
    const [first, second] = ['let total2 =', 'let total6 ='].map((text) => tokenizer.encodePlainText(text));
    assert.ok(commonPrefixLength(first, second) >= 2);
    assert.equal(completed[1].usage.cachedTokens, commonPrefixLength(first, second));
    const mainRuns = runs.filter((_, i) => sequences[i] === 'main');
    assert.equal(
      mainRuns.reduce((sum, run) => sum + run, 0),
      result.tokens,
    );
    const chat = await ask('How are words counted?');
    assert.equal(chat.usage.cachedTokens, result.tokens);
    assert.deepEqual(rowCalls, []);
  });

  it('gives a question that arrives mid-way what is done, and finishes after it', async () => {
    runs = [];
    let chat: Promise<ChatResult> | undefined;
    onRun = (run) => {
      if (run === 2) chat = ask('Which function counts words?');
    };
    const result = await prefill();
    const answered = await chat!;
    assert.equal(answered.usage.cachedTokens, 2 * RUN_TOKENS);
    // The chat went on past the prefix, so the prefill found all of it but the last token in place.
    assert.equal(result.cancelled, false);
    assert.equal(result.cachedTokens, 0);
    assert.equal(runs.at(-1), 1);
  });

  it('stores the prefix on disk though another chat replaced the live sequence first, for the next engine', async () => {
    const log: string[] = [];
    const withSnapshots = () =>
      fixture.service({
        prefillChunkTokens: RUN_TOKENS,
        snapshotMinTokens: 64,
        logger: new Logger('debug', (line) => log.push(line)),
      });
    const first = withSnapshots();
    const second = withSnapshots();
    try {
      await first.loadModel(fixture.loadParams, () => {}, never);
      const computed = await prefill(undefined, first);
      assert.ok(computed.tokens > 128, `${computed.tokens} tokens: more than one block of the snapshot file`);
      // The writer takes the decoder after every request: this one takes it at the writer's first block. (A
      // completion would not do: it runs on its own sequence and leaves the prefix in place.)
      const other = parseEngineParams('chat', {
        requestId: 'other',
        messages: [{ role: 'user', content: 'Say hello.' }],
        thinking: 'off',
        maxTokens: 1,
      });
      await first.chat(other, () => {}, never);
      await first.snapshotsSettled();
      assert.ok(
        log.some((line) => line.includes(`KV snapshot of ${computed.tokens} tokens stored`)),
        log.join('\n'),
      );
      await second.loadModel(fixture.loadParams, () => {}, never);
      const restored = await prefill(undefined, second);
      // All but the last token, which is computed for its logits.
      assert.equal(restored.cachedTokens, computed.tokens - 1);
      assert.equal(restored.diskTokens, computed.tokens - 1);
    } finally {
      await first.dispose();
      await second.dispose();
    }
  });
});

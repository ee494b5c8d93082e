import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { ContextPacker, type PackRequest } from '../../../src/engine/context/contextPacker';
import type { PackableFile } from '../../../src/engine/context/packSelection';
import type { ContextFormatName } from '../../../src/engine/context/contextFormat';
import type { TokenCounter } from '../../../src/engine/context/tokenCountCache';
import { qwen3Tokenizer } from '../text/qwen3TokenizerFixture';
import { approximateCounter } from './contextFixtures';

interface TestFile extends PackableFile {
  content: string;
}

/** `count` TypeScript files of 5 to 95 lines; modification times shuffled against rank order. */
function syntheticRepo(count: number): TestFile[] {
  return Array.from({ length: count }, (_, i) => {
    const lines = Array.from(
      { length: 5 + (i % 10) * 10 },
      (_, j) => `export function f${i}_${j}(x: number): number { return x * ${j} + ${i}; }\n`,
    );
    const content = lines.join('');
    return {
      path: `src/module${String(i).padStart(4, '0')}.ts`,
      content,
      size: content.length,
      mtimeMs: 1_700_000_000_000 + ((i * 7919) % count) * 1000,
      languageId: 'typescript',
      outline: `1│${lines[0]}⋮\n`,
    };
  });
}

const read = (file: TestFile): string => file.content;

function pack(
  files: readonly TestFile[],
  budget: number,
  format: ContextFormatName = 'qwen',
  counter: TokenCounter = approximateCounter,
) {
  const request: PackRequest = { budget, repoName: 'demo', format };
  return new ContextPacker(counter).pack(files, request, read);
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

const repo = syntheticRepo(600); // about 1.5 MB, 440K approximate tokens

describe('ContextPacker', () => {
  for (const format of ['qwen', 'markdown'] as const) {
    for (const budget of [2048, 16_384, 262_144]) {
      it(`never exceeds a budget of ${budget} tokens (${format})`, () => {
        const { text, stats } = pack(repo, budget, format);
        assert.ok(stats.tokens <= budget, `${stats.tokens} > ${budget}`);
        assert.ok(approximateCounter.count(text) <= stats.tokens);
        assert.ok(stats.tokens >= budget * 0.97, `only ${stats.tokens} of ${budget} used`);
        assert.equal(stats.filesWhole + stats.filesOutlined + stats.filesListed + stats.filesOmitted, repo.length);
        assert.ok(stats.filesWhole > 0 && stats.filesOutlined + stats.filesListed > 0);
      });
    }
  }

  it('puts whole files in rank order into the block, least recently modified first', () => {
    const { text, stats } = pack(repo, 16_384);
    const shown = [...text.matchAll(/<\|file_sep\|>(src\/\S+)\n(?!1│)/g)].map((m) => m[1]);
    assert.equal(shown.length, stats.filesWhole);
    const byPath = new Map(repo.map((f) => [f.path, f]));
    const mtimes = shown.map((path) => byPath.get(path)!.mtimeMs);
    assert.deepEqual(
      mtimes,
      [...mtimes].sort((a, b) => a - b),
    );
    // The first ranked file always makes it whole.
    assert.ok(shown.includes(repo[0].path));
  });

  it('is deterministic', () => {
    assert.equal(pack(repo, 16_384).text, pack(repo, 16_384).text);
    assert.equal(pack(repo, 16_384, 'markdown').text, pack(repo, 16_384, 'markdown').text);
  });

  it('changes the block only from an edited file on', () => {
    const small = syntheticRepo(20);
    const before = pack(small, 32_768);
    assert.equal(before.stats.filesWhole, 20);
    const edited = small[7];
    const newest = Math.max(...small.map((f) => f.mtimeMs)) + 1000;
    const content = edited.content.replace('return x * 0', 'return x * 100');
    const after = small.map((f) => (f === edited ? { ...f, content, size: content.length, mtimeMs: newest } : f));
    for (const format of ['qwen', 'markdown'] as const) {
      const [oldText, newText] = [pack(small, 32_768, format).text, pack(after, 32_768, format).text];
      const editedAt = oldText.indexOf(format === 'qwen' ? `<|file_sep|>${edited.path}\n` : `${edited.path}\n\``);
      assert.ok(editedAt > 0);
      // Everything before the edited file's old place is unchanged (the next file's header may share a few more characters).
      const common = commonPrefixLength(oldText, newText);
      assert.ok(
        common >= editedAt && common < editedAt + 40,
        `${format}: common prefix ${common}, edited file at ${editedAt}`,
      );
      assert.ok(newText.lastIndexOf(edited.path) > newText.lastIndexOf(small[6].path));
    }
  });

  it('outlines a file too large to show whole, and lists the rest by path', () => {
    const big = syntheticRepo(1)[0];
    const huge = { ...big, content: big.content.repeat(40), size: big.size * 40 };
    const { text, stats } = pack([huge, ...syntheticRepo(3).slice(1)], 2048);
    assert.equal(stats.filesOutlined, 1);
    assert.ok(text.startsWith(`<|repo_name|>demo\n<|file_sep|>`));
    assert.ok(text.includes(`<|file_sep|>${huge.path}\n1│export function f0_0`));
  });

  it('states what was left out', () => {
    assert.match(
      pack(syntheticRepo(3), 16_384).text,
      /\[Repository context: 3 files whole, 0 as outlines .*, 0 by path only; nothing left out\.\]\n$/,
    );
    const { text, stats } = pack(repo, 2048);
    assert.ok(stats.filesOmitted > 0);
    assert.ok(text.endsWith(`${stats.filesOmitted} more files left out.]\n`));
    assert.ok(text.includes('<|file_sep|>[files not shown in full]\nsrc/module'));
  });

  it('fences markdown with more backticks than the content holds', () => {
    const file: TestFile = {
      path: 'README.md',
      content: '# Title\n```js\ncode\n```\n',
      size: 24,
      mtimeMs: 1,
      languageId: 'markdown',
      outline: '',
    };
    const { text } = pack([file], 2048, 'markdown');
    assert.ok(text.startsWith('Repository: demo\n\nREADME.md\n````markdown\n# Title\n```js\ncode\n```\n````\n\n('));
  });

  it('leaves out a file that can no longer be read', () => {
    const files = syntheticRepo(2);
    const { stats } = new ContextPacker(approximateCounter).pack(files, { budget: 16_384, repoName: 'demo' }, (f) =>
      f === files[0] ? undefined : f.content,
    );
    assert.deepEqual([stats.filesWhole, stats.filesOutlined], [1, 1]);
  });

  it('rejects budgets outside 256…262144 tokens with InvalidParams', () => {
    for (const budget of [0, 255, 262_145, 1000.5, Number.NaN]) {
      assert.throws(
        () => pack(repo, budget),
        (error) => error instanceof EngineError && error.code === EngineErrorCode.InvalidParams,
      );
    }
  });

  it('counts exactly what the Qwen3 tokenizer counts for the whole block', () => {
    const tokenizer = qwen3Tokenizer();
    const counter: TokenCounter = { count: (text) => tokenizer.encode(text).length };
    const files = syntheticRepo(40);
    for (const format of ['qwen', 'markdown'] as const) {
      const { text, stats } = pack(files, 4096, format, counter);
      assert.equal(tokenizer.encode(text).length, stats.tokens, format);
      assert.ok(stats.tokens <= 4096 && stats.tokens > 4000, `${stats.tokens}`);
    }
  });
});

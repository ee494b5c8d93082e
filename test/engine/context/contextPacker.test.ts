import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { ContextPacker, type PackInput, type PackRequest } from '../../../src/engine/context/contextPacker';
import { RepositoryMap } from '../../../src/engine/context/repositoryMap';
import { coarseCharge, type PackableFile } from '../../../src/engine/context/packSelection';
import { contextFormat, type ContextFormatName } from '../../../src/engine/context/contextFormat';
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

/** Packs `files` with their order as the overview's ranking, and `request` (default the same) as the request's. */
function pack(
  files: readonly TestFile[],
  budget: number,
  format: ContextFormatName = 'qwen',
  counter: TokenCounter = approximateCounter,
  input: Partial<PackInput<TestFile>> & { questionShare?: number } = {},
) {
  const request: PackRequest = { budget, repoName: 'demo', format, questionShare: input.questionShare };
  return new ContextPacker(counter).pack(
    {
      overview: files,
      request: files,
      map: new RepositoryMap(files.map((f) => f.path)),
      readContent: read,
      definitions: () => [],
      ...input,
    },
    request,
  );
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
        // Outlines here are one line, so the request's part leaves most of its last fifth empty.
        assert.ok(stats.tokens >= budget * 0.88, `only ${stats.tokens} of ${budget} used`);
        assert.equal(
          stats.filesWhole + stats.filesExcerpted + stats.filesOutlined + stats.filesListed + stats.filesOmitted,
          repo.length,
        );
        assert.ok(stats.filesWhole > 0 && stats.filesOutlined > 0);
      });
    }
  }

  it("puts the map, then the overview's whole files in rank order, least recently modified first", () => {
    const { text, stats, placements } = pack(repo, 16_384);
    const mapAt = text.indexOf('<|file_sep|>[repository map]');
    assert.equal(mapAt, text.indexOf('<|file_sep|>'), 'the map comes first: it changes only when files come or go');
    const requestAt = Math.min(
      ...placements.filter((p) => p.part === 'request').map((p) => text.lastIndexOf(`<|file_sep|>${p.path}\n`)),
    );
    assert.ok(requestAt > mapAt);
    const overviewText = text.slice(mapAt, requestAt);
    const shown = [...overviewText.matchAll(/<\|file_sep\|>(src\/\S+)\n(?!1│)/g)].map((m) => m[1]);
    const wholeInOverview = placements.filter((p) => p.part === 'overview' && p.rendering === 'whole');
    assert.deepEqual([...shown].sort(), wholeInOverview.map((p) => p.path).sort());
    assert.ok(stats.overviewTokens < stats.tokens);
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

  it("keeps the overview byte for byte whatever the request ranks, and puts the request's best file last", () => {
    const plain = pack(repo, 16_384);
    const reversed = [...repo].reverse();
    const focused = pack(repo, 16_384, 'qwen', approximateCounter, { request: reversed });
    const overviewLength = plain.text.indexOf('<|file_sep|>[repository map]');
    assert.ok(overviewLength > 0);
    assert.equal(focused.text.slice(0, overviewLength), plain.text.slice(0, overviewLength));
    assert.equal(focused.stats.overviewTokens, plain.stats.overviewTokens);
    const best = reversed[0].path;
    const summaryAt = focused.text.lastIndexOf('<|file_sep|>[about this context]');
    assert.ok(
      focused.text.lastIndexOf(`<|file_sep|>${best}\n`) > focused.text.lastIndexOf('<|file_sep|>', summaryAt - 1) - 1,
    );
    assert.ok(focused.placements.some((p) => p.part === 'request' && p.path === best && p.rank === 0));
  });

  it("gives the request's part the question share of the block and the overview the rest, less its steps", () => {
    const reversed = [...repo].reverse();
    for (const [questionShare, overviewAtLeast, overviewAtMost] of [
      [0.7, 0.25, 0.32],
      [0.1, 0.82, 0.92],
      [0, 0.95, 1],
    ] as const) {
      const plain = pack(repo, 16_384, 'qwen', approximateCounter, { questionShare });
      const focused = pack(repo, 16_384, 'qwen', approximateCounter, { questionShare, request: reversed });
      const share = focused.stats.overviewTokens / focused.stats.tokens;
      assert.ok(share >= overviewAtLeast && share <= overviewAtMost, `${questionShare}: overview share ${share}`);
      assert.ok(focused.stats.tokens >= 16_384 * 0.9, `${questionShare}: only ${focused.stats.tokens} tokens`);
      assert.equal(focused.stats.overviewTokens, plain.stats.overviewTokens);
      const overviewLength = plain.text.indexOf('<|file_sep|>[repository map]');
      assert.equal(focused.text.slice(0, overviewLength), plain.text.slice(0, overviewLength));
    }
    const none = pack(repo, 16_384, 'qwen', approximateCounter, { questionShare: 0, request: reversed });
    assert.ok(!none.placements.some((p) => p.part === 'request' && p.rendering !== 'outlined'));
  });

  it('changes the block only from an edited file on', () => {
    const small = syntheticRepo(20);
    const before = pack(small, 32_768);
    assert.equal(before.stats.filesWhole, 20);
    const edited = small[1];
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
        common >= editedAt && common < editedAt + 120,
        `${format}: common prefix ${common}, edited file at ${editedAt}`,
      );
    }
  });

  it("keeps the overview's other choices when an edit adds a line to one of its files", () => {
    const files = syntheticRepo(300);
    const charged = (file: TestFile): number =>
      coarseCharge(approximateCounter.count(contextFormat('qwen').wholeFile(file.path, file.content, '')));
    const [changedAt, chargeMoved]: number[][] = [[], []];
    for (let budget = 2000; budget <= 32_000; budget += 500) {
      const before = pack(files, budget, 'qwen', approximateCounter, { questionShare: 0.1 });
      const whole = before.placements.filter((p) => p.part === 'overview' && p.rendering === 'whole');
      const path = whole[Math.floor(whole.length / 2)].path;
      const edited = files.find((f) => f.path === path)!;
      const content = `// edited\n${edited.content}`;
      const update = { ...edited, content, size: content.length, mtimeMs: 2e12 };
      // Only when the edit moves the file to another step can the others' choices change.
      if (charged(update) !== charged(edited)) {
        chargeMoved.push(budget);
        continue;
      }
      const after = pack(
        files.map((f) => (f === edited ? update : f)),
        budget,
        'qwen',
        approximateCounter,
        { questionShare: 0.1 },
      );
      const others = (result: typeof before): string =>
        result.placements
          .filter((p) => p.part === 'overview' && p.path !== path)
          .map((p) => `${p.path} ${p.rendering}`)
          .join();
      if (others(after) !== others(before)) changedAt.push(budget);
    }
    // Charged exactly, the others changed at 16 of these 61 budgets.
    assert.deepEqual(changedAt, []);
    assert.ok(chargeMoved.length <= 10, `the edited file changed steps at ${chargeMoved.length} budgets`);
  });

  it("keeps the overview's other choices when an edit adds a line to the document it shows the head of", () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `Step ${i}: run the ${i % 7}th check, then read its log.\n`);
    const readme = (content: string, mtimeMs: number): TestFile => ({
      path: 'README.md',
      content,
      size: content.length,
      mtimeMs,
      languageId: 'markdown',
      outline: '',
    });
    const files = [readme(lines.join(''), 1), ...syntheticRepo(300)];
    // More tokens per character than the head's rendering assumes, so it comes out over the tokens it was meant for.
    const denseCounter: TokenCounter = { count: (text) => Math.ceil(text.length / 3) };
    const edited = [readme(`An added line.\n${lines.join('')}`, 2e12), ...files.slice(1)];
    const changedAt: number[] = [];
    for (let budget = 2000; budget <= 32_000; budget += 1000) {
      const others = (result: ReturnType<typeof pack>): string =>
        result.placements
          .filter((p) => p.part === 'overview' && p.path !== 'README.md')
          .map((p) => `${p.path} ${p.rendering}`)
          .join();
      const [before, after] = [files, edited].map((input) =>
        pack(input, budget, 'qwen', denseCounter, { questionShare: 0.1 }),
      );
      assert.equal(before.placements[0].rendering, 'excerpt');
      if (others(after) !== others(before)) changedAt.push(budget);
    }
    assert.deepEqual(changedAt, []);
  });

  it('shows the matching definitions of a file too large to show whole inside its outline', () => {
    const lines = Array.from(
      { length: 400 },
      (_, i) => `export function f${i}(x: number): number {\n  return x * ${i};\n}\n`,
    );
    const content = lines.join('');
    const definitions = lines.map((_, i) => ({
      name: `f${i}`,
      kind: 'function' as const,
      line: i * 3 + 1,
      endLine: i * 3 + 1,
      lastLine: i * 3 + 3,
    }));
    const big: TestFile = {
      path: 'src/big.ts',
      content,
      size: content.length,
      mtimeMs: 1,
      languageId: 'typescript',
      outline: definitions.map((d) => `${d.line}│${lines[d.line / 3 - 1 / 3]}`).join(''),
    };
    const others = syntheticRepo(3).slice(1);
    const { text, stats, placements } = pack([...others, big], 2048, 'qwen', approximateCounter, {
      request: [big, ...others],
      definitions: (file) => (file === big ? definitions : []),
      matches: (file) => (file === big ? [definitions[250]] : []),
    });
    assert.equal(stats.filesExcerpted, 1);
    assert.deepEqual(
      placements.find((p) => p.path === big.path),
      { path: big.path, part: 'request', rank: 0, rendering: 'excerpt' },
    );
    assert.ok(text.includes('751│export function f250(x: number): number {\n752│  return x * 250;\n753│}\n'));
    assert.ok(!text.includes('752│  return x * 249;'));
  });

  it('shows the head of a long README in the overview and says what each part holds', () => {
    const readme: TestFile = {
      path: 'README.md',
      content: Array.from({ length: 2000 }, (_, i) => `Line ${i} of the manual.\n`).join(''),
      size: 50_000,
      mtimeMs: 1,
      languageId: 'markdown',
      outline: '',
    };
    const files = [readme, ...syntheticRepo(3)];
    const { text, stats } = pack(files, 8192);
    assert.ok(text.includes('<|file_sep|>README.md\n1│Line 0 of the manual.\n2│Line 1 of the manual.\n'));
    assert.equal(stats.filesExcerpted, 1);
    assert.match(
      text,
      /<\|file_sep\|>\[about this context\]\nRepository context: first an overview, the same for every request \(3 files whole, 1 excerpt, 0 outlines\), then what this request needs \(0 files whole, 0 excerpts, 0 outlines\)\. .* The map names 4 of 4 files; every folder is in it\.\n$/,
    );
  });

  it('names every folder in the map, folding deep ones into counts when paths do not fit', () => {
    const { text, stats } = pack(repo, 2048);
    assert.ok(stats.filesOmitted > 0 || stats.filesListed > 0);
    assert.match(text, /<\|file_sep\|>\[repository map\]\nsrc\/ /);
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
    assert.ok(text.startsWith('Repository: demo\n\nRepository map (every folder)\n```\n'));
    assert.ok(text.includes('\n\nREADME.md\n````markdown\n# Title\n```js\ncode\n```\n````\n\n'));
  });

  it('leaves out a file that can no longer be read', () => {
    const files = syntheticRepo(2);
    const { stats } = pack(files, 16_384, 'qwen', approximateCounter, {
      readContent: (f) => (f === files[0] ? undefined : f.content),
    });
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
      assert.ok(stats.tokens <= 4096 && stats.tokens > 3700, `${stats.tokens}`);
    }
  });
});

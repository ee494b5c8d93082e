import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultParserWorkerEntry } from '../../../src/engine/context/parserPool';
import { RepositoryIndex, type IndexedFile, type IndexProgress } from '../../../src/engine/context/repositoryIndex';
import {
  approximateCounter,
  PARSER_CRASH_MARKER,
  POLYGLOT_PROJECT,
  SMALL_PROJECT,
  TempDirs,
  writeTree,
} from './contextFixtures';

const temp = new TempDirs();
after(() => temp.cleanup());

/** What parsing produced for every file, comparable across indexes. */
function snapshot(index: RepositoryIndex): unknown[] {
  return index.files().map((f: IndexedFile) => ({
    path: f.path,
    hash: f.hash,
    size: f.size,
    languageId: f.languageId,
    definitions: f.symbols.definitions,
    references: [...f.symbols.references].sort(),
    outline: f.outline,
  }));
}

/** Sets a file's mtime a few seconds ahead, so a rewrite is seen even on coarse-timestamp file systems. */
function rewrite(root: string, path: string, content: string, secondsAhead = 10): void {
  const absolute = join(root, path);
  writeFileSync(absolute, content);
  const when = new Date(Date.now() + secondsAhead * 1000);
  utimesSync(absolute, when, when);
}

describe('RepositoryIndex', () => {
  it('indexes a workspace and ranks the active file and its dependencies first', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const progress: IndexProgress[] = [];
    const index = await RepositoryIndex.open({ roots: [root] }, (p) => progress.push(p));
    assert.deepEqual(
      index.files().map((f) => f.path),
      ['docs/notes.md', 'src/format.ts', 'src/legacy.ts', 'src/main.ts', 'src/service.ts', 'src/store.ts'],
    );
    assert.deepEqual(
      index.rank({ activeFile: join(root, 'src/main.ts') }).map((f) => f.file.path),
      // service.ts uses OrderStore and saveOrder (store.ts) more than formatReceipt (format.ts); code the focus
      // does not reach comes before documents it does not reach.
      ['src/main.ts', 'src/service.ts', 'src/store.ts', 'src/format.ts', 'src/legacy.ts', 'docs/notes.md'],
    );
    const { stats } = index;
    assert.deepEqual(
      [stats.files, stats.structured, stats.plainText, stats.parseFailures, stats.lastScan.parsed],
      [6, 5, 1, 0, 6],
    );
    assert.deepEqual(progress.at(-1), { phase: 'parsing', filesDone: 6, filesTotal: 6 });
    await index.dispose();
  });

  it('packs a block with the focused files whole', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const index = await RepositoryIndex.open({ roots: [root], repoName: 'shop' });
    const { text, stats } = index.pack({ budget: 2048, focus: { activeFile: 'src/main.ts' } }, approximateCounter);
    assert.ok(text.startsWith('<|repo_name|>shop\n<|file_sep|>'));
    assert.ok(text.includes(`<|file_sep|>src/main.ts\n${SMALL_PROJECT['src/main.ts']}`));
    assert.deepEqual([stats.filesWhole, stats.filesOmitted], [6, 0]);
    assert.ok(stats.tokens <= 2048 && stats.elapsedMs >= 0);
    await index.dispose();
  });

  it('finds what a question is about, follows an edit that changes it, and leans to edited files', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const index = await RepositoryIndex.open({ roots: [root] });
    const legacyGraph = (): number =>
      index.rank({ activeFile: 'src/main.ts' }).find((r) => r.file.path === 'src/legacy.ts')!.signals.graph;
    assert.equal(legacyGraph(), 0);
    const first = index.rank({ query: 'how is the receipt formatted?' });
    assert.equal(first[0].file.path, 'src/format.ts');
    assert.ok(first[0].signals.lexical === 1 && first[0].signals.role === 'source');
    rewrite(root, 'src/legacy.ts', 'export function legacyReport(): string {\n  return "receipt archive";\n}\n');
    await index.update([{ path: join(root, 'src/legacy.ts'), kind: 'changed' }]);
    const after = index.rank({ query: 'where is the receipt archive kept?' });
    assert.equal(after[0].file.path, 'src/legacy.ts');
    // A file just edited is part of every focus after it.
    assert.ok(legacyGraph() > 0);
    await index.dispose();
  });

  it('packs the README and manifest first without a question, and keeps that overview for every question', async () => {
    const root = temp.tree({
      ...SMALL_PROJECT,
      'README.md': '# Shop\n\nPlaces orders and prints receipts.\n',
      'package.json': '{ "name": "shop", "main": "src/main.ts" }\n',
      'test/fixtures/orders.json': '[{ "item": "book" }]\n',
    });
    const index = await RepositoryIndex.open({ roots: [root], repoName: 'shop' });
    assert.deepEqual(
      index
        .rank()
        .slice(0, 3)
        .map((r) => r.file.path),
      ['README.md', 'package.json', 'src/main.ts'],
    );
    assert.equal(index.rank().at(-1)!.file.path, 'test/fixtures/orders.json');
    const plain = index.pack({ budget: 1024 }, approximateCounter);
    assert.ok(plain.text.includes('<|file_sep|>README.md\n# Shop\n'));
    assert.ok(plain.text.includes('<|file_sep|>package.json\n{ "name": "shop"'));
    // The overview (the map, then its files) ends where the request's part begins.
    const requestStarts = plain.placements
      .filter((p) => p.part === 'request')
      .map((p) => plain.text.lastIndexOf(`<|file_sep|>${p.path}\n`));
    const overview = plain.text.slice(0, Math.min(...requestStarts));
    assert.ok(overview.includes('<|file_sep|>[repository map]') && overview.includes('<|file_sep|>README.md\n'));
    for (const query of ['how is the receipt formatted?', 'where are orders saved?']) {
      const focused = index.pack({ budget: 1024, focus: { query } }, approximateCounter);
      assert.ok(focused.text.startsWith(overview), query);
      assert.equal(focused.stats.overviewTokens, plain.stats.overviewTokens);
    }
    await index.dispose();
  });

  it('re-parses only the changed file, and ends where a full rescan does', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const index = await RepositoryIndex.open({ roots: [root] });
    rewrite(
      root,
      'src/format.ts',
      'export function formatReceipt(item: string): string {\n  return item;\n}\n\nexport function formatTotal(total: number): string {\n  return `${total}`;\n}\n',
    );
    writeFileSync(
      join(root, 'src/extra.ts'),
      "import { formatTotal } from './format';\nexport const total = formatTotal(3);\n",
    );
    rmSync(join(root, 'src/legacy.ts'));

    const result = await index.update([
      { path: join(root, 'src/format.ts'), kind: 'changed' },
      { path: 'src/extra.ts', kind: 'created' },
      { path: join(root, 'src/legacy.ts'), kind: 'deleted' },
      { path: join(root, 'src/store.ts'), kind: 'changed' }, // an event without a change
      { path: '/somewhere/else.ts', kind: 'changed' },
    ]);
    assert.deepEqual(result.parsed, ['src/format.ts', 'src/extra.ts']);
    assert.deepEqual(result.removed, ['src/legacy.ts']);
    assert.deepEqual(result.unchanged, ['src/store.ts']);
    assert.equal(result.rescanned, false);

    const fresh = await RepositoryIndex.open({ roots: [root] });
    assert.deepEqual(snapshot(index), snapshot(fresh));
    assert.ok(index.file('src/format.ts')!.symbols.definitions.some((d) => d.name === 'formatTotal'));
    await Promise.all([index.dispose(), fresh.dispose()]);
  });

  it('lets unsaved editor contents override the disk until the editor reverts', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const index = await RepositoryIndex.open({ roots: [root] });
    const unsaved = 'export function legacyReport(): string {\n  return "draft";\n}\n';
    assert.deepEqual((await index.update([{ path: 'src/legacy.ts', kind: 'changed', content: unsaved }])).parsed, [
      'src/legacy.ts',
    ]);
    assert.equal(index.stats.unsaved, 1);
    const focus = { activeFile: 'src/legacy.ts' };
    assert.ok(index.pack({ budget: 4096, focus }, approximateCounter).text.includes(unsaved));
    // The draft moves to the end: its edit time is now.
    assert.ok(
      index.pack({ budget: 4096, focus }, approximateCounter).text.lastIndexOf('<|file_sep|>src/legacy.ts') >
        index.pack({ budget: 4096, focus }, approximateCounter).text.lastIndexOf('<|file_sep|>src/store.ts'),
    );

    await index.update([{ path: 'src/legacy.ts', kind: 'changed' }]);
    assert.equal(index.stats.unsaved, 0);
    assert.ok(index.pack({ budget: 4096, focus }, approximateCounter).text.includes(SMALL_PROJECT['src/legacy.ts']));

    await index.update([{ path: 'src/draft.ts', kind: 'created', content: 'export const draft = 1;\n' }]);
    assert.equal(index.file('src/draft.ts')?.unsaved, 'export const draft = 1;\n');
    await index.dispose();
  });

  it('handles folders created and deleted, and rescans when an ignore file changes', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const index = await RepositoryIndex.open({ roots: [root] });
    writeTree(root, { 'lib/a.ts': 'export const a = 1;\n', 'lib/b/c.ts': 'export const c = 1;\n' });
    assert.deepEqual((await index.update([{ path: join(root, 'lib'), kind: 'created' }])).parsed, [
      'lib/a.ts',
      'lib/b/c.ts',
    ]);
    rmSync(join(root, 'lib'), { recursive: true });
    assert.deepEqual((await index.update([{ path: join(root, 'lib'), kind: 'deleted' }])).removed, [
      'lib/a.ts',
      'lib/b/c.ts',
    ]);

    writeFileSync(join(root, '.gitignore'), 'docs/\n');
    const result = await index.update([{ path: join(root, '.gitignore'), kind: 'created' }]);
    assert.equal(result.rescanned, true);
    assert.equal(index.file('docs/notes.md'), undefined);
    assert.equal(index.stats.skipped.ignored, 1);
    assert.equal(index.stats.lastScan.parsed, 0); // the rescan re-parses nothing: .gitignore was parsed by the update
    await index.update([{ path: join(root, 'docs/other.md'), kind: 'created' }]);
    assert.equal(index.file('docs/other.md'), undefined);
    assert.equal((await index.update([{ path: root, kind: 'changed' }])).rescanned, true);
    assert.equal(index.stats.files, 6);
    await index.dispose();
  });

  it(
    'indexes no file reached through a link out of the roots, and reads no pipe, on update',
    { timeout: 20_000 },
    async () => {
      const outside = temp.tree({ passwd: 'root:x:0:0\n' });
      const root = temp.tree(SMALL_PROJECT);
      symlinkSync(outside, join(root, 'link-to-etc'));
      execFileSync('mkfifo', [join(root, 'src/pipe.ts')]);
      const index = await RepositoryIndex.open({ roots: [root] });
      const result = await index.update([
        { path: join(root, 'link-to-etc/passwd'), kind: 'changed' },
        { path: join(root, 'src/pipe.ts'), kind: 'created' },
      ]);
      assert.deepEqual([result.parsed, result.removed, result.unchanged], [[], [], []]);
      assert.equal(index.file('link-to-etc/passwd'), undefined);
      // A later update is still answered.
      rewrite(root, 'src/legacy.ts', 'export const legacy = 2;\n');
      assert.deepEqual((await index.update([{ path: 'src/legacy.ts', kind: 'changed' }])).parsed, ['src/legacy.ts']);
      assert.equal(index.stats.files, 6);
      await index.dispose();
    },
  );

  it('persists to the cache folder and re-parses only changed files on the next start', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const cacheDir = temp.make();
    const first = await RepositoryIndex.open({ roots: [root], cacheDir });
    assert.equal(first.stats.lastScan.parsed, 6);
    await first.dispose();
    assert.deepEqual(readdirSync(join(cacheDir, 'context')).length, 1);

    rewrite(
      root,
      'src/store.ts',
      'export class OrderStore {\n  saveOrder(item: string): void {}\n  clear(): void {}\n}\n',
    );
    rewrite(root, 'src/format.ts', SMALL_PROJECT['src/format.ts']); // touched, same contents
    const second = await RepositoryIndex.open({ roots: [root], cacheDir });
    assert.deepEqual(second.stats.lastScan.parsed, 1);
    assert.deepEqual(second.stats.lastScan.reused, 5);
    const fresh = await RepositoryIndex.open({ roots: [root] });
    assert.deepEqual(snapshot(second), snapshot(fresh));

    await second.update([{ path: 'src/main.ts', kind: 'deleted' }]);
    await second.dispose(); // writes the pending update
    const third = await RepositoryIndex.open({ roots: [root], cacheDir });
    assert.deepEqual([third.stats.lastScan.parsed, third.stats.lastScan.reused], [1, 5]); // main.ts is still on disk
    await Promise.all([third.dispose(), fresh.dispose()]);
  });

  it('rebuilds from scratch when the cache file is corrupt, and reports a cache it cannot write', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const cacheDir = temp.make();
    await (await RepositoryIndex.open({ roots: [root], cacheDir })).dispose();
    const [store] = readdirSync(join(cacheDir, 'context'));
    writeFileSync(join(cacheDir, 'context', store), '{"kind":"hearth-context-index","version":1,');
    const discarded: [string, string][] = [];
    const onCacheDiscard = (file: string, reason: string) => discarded.push([file, reason]);
    const index = await RepositoryIndex.open({ roots: [root], cacheDir, onCacheDiscard });
    assert.equal(index.stats.lastScan.parsed, 6);
    await index.dispose();
    assert.deepEqual(discarded, [[join(cacheDir, 'context', store), 'it is not valid JSON (cut short, or edited)']]);

    const record = JSON.parse(readFileSync(join(cacheDir, 'context', store), 'utf8')) as { version: number };
    writeFileSync(join(cacheDir, 'context', store), JSON.stringify({ ...record, version: record.version + 1 }));
    await (await RepositoryIndex.open({ roots: [root], cacheDir, onCacheDiscard })).dispose();
    assert.deepEqual(discarded[1], [join(cacheDir, 'context', store), 'it was written by another version of Hearth']);

    const blocked = join(temp.make(), 'file');
    writeFileSync(blocked, '');
    const unwritable = await RepositoryIndex.open({ roots: [root], cacheDir: blocked });
    assert.match(unwritable.stats.cacheError ?? '', /Cannot write the repository index/);
    assert.equal(unwritable.stats.files, 6);
    await unwritable.dispose();
  });

  it('keeps the index where no other user can read it (0700), tightening a folder of an earlier version', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const cacheDir = join(temp.make(), 'hearth');
    await (await RepositoryIndex.open({ roots: [root], cacheDir })).dispose();
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(cacheDir, 'context')).mode & 0o777, 0o700);

    chmodSync(join(cacheDir, 'context'), 0o755);
    rewrite(root, 'src/store.ts', 'export class OrderStore {}\n'); // so that the index is written again
    await (await RepositoryIndex.open({ roots: [root], cacheDir })).dispose();
    assert.equal(statSync(join(cacheDir, 'context')).mode & 0o777, 0o700);
  });

  it('indexes an empty workspace', async () => {
    const root = temp.make();
    mkdirSync(join(root, 'empty'));
    const index = await RepositoryIndex.open({ roots: [root] });
    const { text, stats } = index.pack({ budget: 2048 }, approximateCounter);
    assert.equal(stats.tokens, approximateCounter.count(text));
    assert.match(text, /0 files whole/);
    await index.dispose();
  });
});

/** Worker threads alive in this process, whether or not they keep it running. */
function liveWorkerThreads(): number {
  return (process.report.getReport() as unknown as { workers: unknown[] }).workers.length;
}

describe('RepositoryIndex with parser threads', () => {
  // parserThreadsFrom: 0 starts the threads even for these small trees.
  const threaded = { parserThreads: 2, parserThreadsFrom: 0 };

  it('builds, updates and packs exactly the index built on this thread', async () => {
    const root = temp.tree(POLYGLOT_PROJECT);
    const here = await RepositoryIndex.open({ roots: [root], parserThreads: 0 });
    // Threads chosen part-way through the walk, once it has found 3 files to parse.
    const threads = await RepositoryIndex.open({ roots: [root], parserThreads: 2, parserThreadsFrom: 3 });
    try {
      assert.deepEqual(snapshot(threads), snapshot(here));
      const { lastScan: _a, ...statsHere } = here.stats;
      const { lastScan: _b, ...statsThreads } = threads.stats;
      assert.deepEqual(statsThreads, statsHere);
      assert.deepEqual(
        [statsHere.files, statsHere.structured, statsHere.plainText, statsHere.parseFailures],
        [17, 15, 2, 0],
      );
      for (const budget of [2048, 100_000]) {
        const request = { budget, focus: { activeFile: 'src/main.ts', query: 'Server cache' } };
        assert.equal(threads.pack(request, approximateCounter).text, here.pack(request, approximateCounter).text);
      }
      const changes = [
        { path: 'tools/report.py', kind: 'changed' as const, content: 'def summary(rows):\n    return len(rows)\n' },
      ];
      assert.deepEqual((await threads.update(changes)).parsed, (await here.update(changes)).parsed);
      assert.deepEqual(snapshot(threads), snapshot(here));
    } finally {
      await Promise.all([here.dispose(), threads.dispose()]);
    }
  });

  it('reuses the persisted index on its threads: unchanged contents are not parsed again', async () => {
    const root = temp.tree(POLYGLOT_PROJECT);
    const cacheDir = temp.make();
    await (await RepositoryIndex.open({ roots: [root], cacheDir, ...threaded })).dispose();
    rewrite(root, 'cmd/server.go', POLYGLOT_PROJECT['cmd/server.go']); // touched, same contents
    rewrite(root, 'core/lib.rs', 'pub fn only() {}\n');
    const reopened = await RepositoryIndex.open({ roots: [root], cacheDir, ...threaded });
    const fresh = await RepositoryIndex.open({ roots: [root], parserThreads: 0 });
    try {
      assert.deepEqual([reopened.stats.lastScan.parsed, reopened.stats.lastScan.reused], [1, 16]);
      assert.deepEqual(snapshot(reopened), snapshot(fresh));
    } finally {
      await Promise.all([reopened.dispose(), fresh.dispose()]);
    }
  });

  it('leaves a file that kills a parser thread as plain text, counted, and completes the index', async () => {
    const root = temp.tree({ ...SMALL_PROJECT, 'src/killer.ts': `${PARSER_CRASH_MARKER}\nexport const killer = 1;\n` });
    const worker = { ...defaultParserWorkerEntry(), filename: join(__dirname, 'crashingParserWorker.ts') };
    const index = await RepositoryIndex.open({ roots: [root], ...threaded, parserWorker: worker });
    const here = await RepositoryIndex.open({ roots: [root], parserThreads: 0 });
    try {
      assert.deepEqual([index.stats.files, index.stats.parseFailures], [7, 1]);
      assert.equal(index.file('src/killer.ts')?.symbols.outcome, 'failed');
      const others = (i: RepositoryIndex) => snapshot(i).filter((f) => (f as IndexedFile).path !== 'src/killer.ts');
      assert.deepEqual(others(index), others(here));
    } finally {
      await Promise.all([index.dispose(), here.dispose()]);
    }
  });

  it('ends its parser threads when opening is cancelled', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++)
      files[`src/module${i}.ts`] =
        `import { helper${i + 1} } from './module${i + 1}';\nexport function helper${i}(): number {\n  return helper${i + 1}() + 1;\n}\n`;
    const root = temp.tree(files);
    const before = liveWorkerThreads();
    const controller = new AbortController();
    let threadsWhileParsing = 0;
    const onProgress = (progress: IndexProgress): void => {
      if (progress.phase !== 'parsing' || controller.signal.aborted) return;
      threadsWhileParsing = liveWorkerThreads();
      controller.abort();
    };
    await assert.rejects(RepositoryIndex.open({ roots: [root], ...threaded }, onProgress, controller.signal), {
      name: 'AbortError',
    });
    assert.ok(threadsWhileParsing > before, 'the threads were parsing');
    assert.equal(liveWorkerThreads(), before);
  });

  it('parses a small workspace on this thread unless told otherwise', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const before = liveWorkerThreads();
    const index = await RepositoryIndex.open({ roots: [root], parserThreads: 2 });
    assert.equal(liveWorkerThreads(), before);
    await index.update([{ path: 'src/main.ts', kind: 'changed', content: 'export const main = 1;\n' }]);
    assert.equal(liveWorkerThreads(), before);
    await index.dispose();
    await assert.rejects(
      RepositoryIndex.open({ roots: [root], parserThreads: -1 }),
      /parser threads must be a whole number/,
    );
  });
});

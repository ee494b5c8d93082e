import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FileSymbols } from '../../../src/engine/context/fileSymbols';
import { GrammarLoader } from '../../../src/engine/context/grammarLoader';
import { MIN_FILES_FOR_PARSER_THREADS } from '../../../src/engine/context/indexParsers';
import { languageForPath } from '../../../src/engine/context/languages';
import { NameInterner } from '../../../src/engine/context/nameInterner';
import { defaultParserWorkerEntry, ParserPool, type ParserWorkerEntry } from '../../../src/engine/context/parserPool';
import { contentHash, readAndExtract, readSourceText, type ParsedFile } from '../../../src/engine/context/sourceText';
import { SymbolExtractor } from '../../../src/engine/context/symbolExtractor';
import { PROTOCOL_VERSION } from '../../../src/shared/protocol';
import { builtEnginePath } from '../../helpers/builtEngine';
import { PARSER_CRASH_MARKER, POLYGLOT_PROJECT, TempDirs } from './contextFixtures';

const local = new SymbolExtractor(new GrammarLoader());
const temp = new TempDirs();
after(async () => {
  await local.dispose();
  temp.cleanup();
});

const files = Object.entries(POLYGLOT_PROJECT).map(([path, content]) => ({
  path,
  content,
  languageId: languageForPath(path).id,
}));
const crashingWorker: ParserWorkerEntry = {
  ...defaultParserWorkerEntry(),
  filename: join(__dirname, 'crashingParserWorker.ts'),
};

/** FileSymbols with the references map as sorted pairs, so that comparisons show what differs. */
function comparable(symbols: FileSymbols): unknown {
  return { ...symbols, references: [...symbols.references].sort() };
}

async function parseAll(
  parser: { extract(content: string, languageId: string): Promise<FileSymbols> },
  inputs = files,
): Promise<unknown[]> {
  return (await Promise.all(inputs.map((file) => parser.extract(file.content, file.languageId)))).map(comparable);
}

/** Worker threads alive in this process, whether or not they keep it running. */
function liveWorkerThreads(): number {
  return (process.report.getReport() as unknown as { workers: unknown[] }).workers.length;
}

describe('ParserPool', () => {
  it('parses on its threads exactly as on this thread, in any order of finishing', async () => {
    const expected = await parseAll(local);
    assert.ok(expected.length > 10);
    const pool = new ParserPool({ threads: 2, names: new NameInterner(), local });
    try {
      assert.deepEqual(await parseAll(pool), expected);
      assert.equal(pool.threadCount, 2);
      assert.equal(pool.parsesInProcess, false);
      // Plain text never goes to a thread; a second round reuses the threads.
      assert.deepEqual(await parseAll(pool), expected);
      assert.equal(pool.threadCount, 2);
    } finally {
      await pool.dispose();
    }
  });

  it('reads files on its threads as this thread does, skipping what is not source and parsing only new contents', async () => {
    const root = temp.tree({
      ...POLYGLOT_PROJECT,
      'bin/blob.dat': new Uint8Array([1, 0, 2, 0]),
      'big.ts': 'export const big = 1;\n'.repeat(100),
    });
    const requests = [
      ...files.map((file) => ({ path: join(root, file.path), languageId: file.languageId, maxFileBytes: 1000 })),
      { path: join(root, 'bin/blob.dat'), languageId: 'plaintext', maxFileBytes: 1000 },
      { path: join(root, 'big.ts'), languageId: 'typescript', maxFileBytes: 1000 },
      { path: join(root, 'missing.ts'), languageId: 'typescript', maxFileBytes: 1000 },
      {
        path: join(root, 'src/main.ts'),
        languageId: 'typescript',
        maxFileBytes: 1000,
        knownHash: contentHash(POLYGLOT_PROJECT['src/main.ts']),
      },
    ];
    const comparableFile = (file: ParsedFile): unknown =>
      'skip' in file || file.symbols === undefined ? file : { ...file, symbols: comparable(file.symbols) };
    const expected = (await Promise.all(requests.map((request) => readAndExtract(readSourceText, local, request)))).map(
      comparableFile,
    );
    assert.deepEqual(expected.slice(-4), [
      { skip: 'binary' },
      { skip: 'tooLarge' },
      { skip: 'unreadable' },
      {
        size: POLYGLOT_PROJECT['src/main.ts'].length,
        hash: contentHash(POLYGLOT_PROJECT['src/main.ts']),
        symbols: undefined,
      },
    ]);
    const pool = new ParserPool({ threads: 2, names: new NameInterner(), local });
    try {
      assert.deepEqual(
        (await Promise.all(requests.map((request) => pool.readAndExtract(request)))).map(comparableFile),
        expected,
      );
    } finally {
      await pool.dispose();
    }
  });

  it('runs the bundled worker script, dist/parserWorker.js', async () => {
    const bundled = join(resolve(__dirname, '..', '..', '..'), 'dist', 'parserWorker.js');
    if (!existsSync(bundled)) throw new Error(`${bundled} is missing: run \`npm run build\` first (npm test does).`);
    // No tsx options: the bundle is plain JavaScript, as in the engine and the CLI.
    const pool = new ParserPool({
      threads: 1,
      names: new NameInterner(),
      local,
      worker: { filename: bundled, execArgv: [] },
    });
    try {
      assert.deepEqual(await parseAll(pool), await parseAll(local));
      assert.equal(pool.parsesInProcess, false);
    } finally {
      await pool.dispose();
    }
  });

  it('leaves a file that kills its thread as failed, and parses the rest on a new thread', async () => {
    const inputs = [
      ...files.slice(0, 5),
      { path: 'src/killer.ts', content: `${PARSER_CRASH_MARKER}\nexport const x = 1;\n`, languageId: 'typescript' },
      ...files.slice(5),
    ];
    const pool = new ParserPool({ threads: 1, names: new NameInterner(), local, worker: crashingWorker });
    try {
      const results = await parseAll(pool, inputs);
      assert.deepEqual(
        results[5],
        comparable({ outcome: 'failed', definitions: [], references: new Map(), outline: '', terms: new Map() }),
      );
      assert.deepEqual(
        results.filter((_, i) => i !== 5),
        await parseAll(local),
      );
      assert.equal(pool.parsesInProcess, false);
      assert.equal(pool.threadCount, 1);
    } finally {
      await pool.dispose();
    }
  });

  it('parses on this thread when its threads keep dying or cannot start', async () => {
    const killers = [1, 2, 3].map((n) => ({
      path: `k${n}.ts`,
      content: `${PARSER_CRASH_MARKER}\nexport const k${n} = 1;\n`,
      languageId: 'typescript',
    }));
    const dying = new ParserPool({ threads: 1, names: new NameInterner(), local, worker: crashingWorker });
    const missing = new ParserPool({
      threads: 2,
      names: new NameInterner(),
      local,
      worker: { filename: join(__dirname, 'noSuchWorker.js') },
    });
    try {
      const results = await parseAll(dying, [...killers, ...files]);
      assert.deepEqual(
        results.slice(0, 3).map((r) => (r as FileSymbols).outcome),
        ['failed', 'failed', 'failed'],
      );
      assert.deepEqual(results.slice(3), await parseAll(local));
      assert.equal(dying.parsesInProcess, true);
      assert.equal(dying.threadCount, 0);

      assert.deepEqual(await parseAll(missing), await parseAll(local));
      assert.equal(missing.parsesInProcess, true);
    } finally {
      await Promise.all([dying.dispose(), missing.dispose()]);
    }
  });

  it('ends its threads on dispose, settling the files still waiting as failed', async () => {
    const before = liveWorkerThreads();
    const pool = new ParserPool({ threads: 2, names: new NameInterner(), local });
    await parseAll(pool); // the threads are up
    assert.equal(liveWorkerThreads(), before + 2);
    const big = 'export function f(a: number): number { return a + 1; }\n'.repeat(5_000);
    const pending = Promise.all(Array.from({ length: 40 }, () => pool.extract(big, 'typescript')));
    await pool.dispose();
    assert.equal(pool.threadCount, 0);
    assert.equal(liveWorkerThreads(), before);
    const outcomes = (await pending).map((s) => s.outcome);
    assert.ok(outcomes.includes('failed'), 'some files were still waiting');
    assert.ok(outcomes.every((o) => o === 'failed' || o === 'structured'));
    // After dispose nothing reaches a thread.
    assert.equal((await pool.extract(files[0].content, files[0].languageId)).outcome, 'failed');
    assert.equal(liveWorkerThreads(), before);
  });

  it(
    "keeps what a parser thread prints out of a real engine's stdout, its JSON-RPC stream",
    { timeout: 120_000 },
    async () => {
      // Every worker thread of the engine prints once its script has run, as web-tree-sitter's console.log would.
      const dir = temp.make();
      const preload = join(dir, 'printingThreads.cjs');
      writeFileSync(
        preload,
        [
          "if (!require('node:worker_threads').isMainThread)",
          "  setImmediate(() => { console.log('printed by a thread'); process.stdout.write('written by a thread\\n'); });\n",
        ].join('\n'),
      );
      // Enough files for the scan to parse on the threads.
      const root = temp.tree(
        Object.fromEntries(
          Array.from({ length: MIN_FILES_FOR_PARSER_THREADS }, (_, i) => [
            `src/f${i}.ts`,
            `export const f${i} = ${i};\n`,
          ]),
        ),
      );
      const engine = spawn(process.execPath, ['--require', preload, builtEnginePath()], {
        env: { ...process.env, XDG_CACHE_HOME: dir },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      let stderr = '';
      engine.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise((resolve) => engine.once('exit', (code) => resolve(code)));
      const answered = new Promise<void>((resolve) =>
        engine.stdout.on('data', (chunk: Buffer) => {
          stdout.push(chunk);
          if (jsonRpcFrames(Buffer.concat(stdout)).some((message) => message.id === 2)) resolve();
        }),
      );
      const send = (id: number, method: string, params: unknown): void => {
        const request = JSON.stringify({ jsonrpc: '2.0', id, method, params });
        engine.stdin.write(`Content-Length: ${Buffer.byteLength(request)}\r\n\r\n${request}`);
      };
      send(1, 'initialize', { clientName: 'test', clientVersion: '0', protocolVersion: PROTOCOL_VERSION });
      send(2, 'context/index', { roots: [root] });
      await answered;
      engine.stdin.end();
      assert.equal(await exited, 0);
      const messages = jsonRpcFrames(Buffer.concat(stdout));
      assert.equal((messages.at(-1)?.result as { files?: number } | undefined)?.files, MIN_FILES_FOR_PARSER_THREADS);
      assert.ok(stderr.includes('printed by a thread\n'), stderr);
      assert.ok(stderr.includes('written by a thread\n'), stderr);
    },
  );

  it('does not keep the process alive with idle threads', () => {
    // A pool left running after its work (no dispose) must let the process end on its own.
    const script = [
      `const { ParserPool } = require(${JSON.stringify(join(resolve(__dirname, '..', '..', '..'), 'src/engine/context/parserPool.ts'))});`,
      `const { SymbolExtractor } = require(${JSON.stringify(join(resolve(__dirname, '..', '..', '..'), 'src/engine/context/symbolExtractor.ts'))});`,
      `const { NameInterner } = require(${JSON.stringify(join(resolve(__dirname, '..', '..', '..'), 'src/engine/context/nameInterner.ts'))});`,
      'const pool = new ParserPool({ threads: 2, names: new NameInterner(), local: new SymbolExtractor() });',
      "pool.extract('export const a = 1;\\n', 'typescript').then((s) => console.log(s.outcome, pool.threadCount));",
    ].join('\n');
    const started = performance.now();
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'structured 1');
    assert.ok(performance.now() - started < 60_000);
  });
});

/** The messages of a JSON-RPC stream; throws on any byte outside a `Content-Length` frame. */
function jsonRpcFrames(stream: Buffer): { id?: number; result?: unknown }[] {
  const messages = [];
  let at = 0;
  while (at < stream.length) {
    const header = /^Content-Length: (\d+)\r\n\r\n/.exec(stream.subarray(at, at + 64).toString('latin1'));
    if (header === null)
      throw new Error(`Not a JSON-RPC frame at byte ${at}: ${stream.subarray(at, at + 80).toString()}`);
    const start = at + header[0].length;
    const end = start + Number(header[1]);
    if (end > stream.length) break; // the rest is still coming
    messages.push(JSON.parse(stream.subarray(start, end).toString('utf8')) as { id?: number; result?: unknown });
    at = end;
  }
  return messages;
}

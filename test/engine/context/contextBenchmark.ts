/**
 * Measures the repository context on a real tree (not part of the test suite):
 *   node --import tsx test/engine/context/contextBenchmark.ts ROOT [--cache DIR] [--no-default-excludes] [--threads N]
 * `--threads 0` parses on the main thread (default: the index's own choice, one parser thread per core for a
 * big tree). Prints cold index time and files/s, peak RSS, re-pack times at 32K and 256K tokens with the Qwen3
 * tokenizer (first pack tokenizes, later ones hit the count cache), and the time of a one-file edit. It adds
 * `hearth-benchmark-probe.ts` to ROOT for the run (the focus, and the file edited) and removes it after.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RepositoryIndex, type RepositoryIndexOptions } from '../../../src/engine/context/repositoryIndex';
import type { TokenCounter } from '../../../src/engine/context/tokenCountCache';
import { qwen3Tokenizer } from '../text/qwen3TokenizerFixture';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = args.find((a) => !a.startsWith('--'));
  if (root === undefined)
    throw new Error('usage: contextBenchmark.ts ROOT [--cache DIR] [--no-default-excludes] [--threads N]');
  const cacheAt = args.indexOf('--cache');
  const cacheDir = cacheAt === -1 ? undefined : args[cacheAt + 1];
  const threadsAt = args.indexOf('--threads');
  const parserThreads = threadsAt === -1 ? undefined : Number(args[threadsAt + 1]);
  const defaultExcludes = args.includes('--no-default-excludes') ? [] : undefined;

  // A file of our own stands for the one the user edits, so the tree is left as it was.
  const probe = join(root, 'hearth-benchmark-probe.ts');
  writeFileSync(probe, "import { x } from './x';\nexport function benchmarkProbe(): number {\n  return x;\n}\n");
  process.on('exit', () => rmSync(probe, { force: true })); // also when the output pipe closes early
  try {
    await measure(root, probe, { cacheDir, defaultExcludes, parserThreads });
  } finally {
    rmSync(probe, { force: true });
  }
}

async function measure(root: string, probe: string, options: Omit<RepositoryIndexOptions, 'roots'>): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  let started = performance.now();
  const index = await RepositoryIndex.open({ roots: [root], ...options });
  const openMs = performance.now() - started;
  const { stats } = index;
  const filesPerSecond = (stats.lastScan.parsed / openMs) * 1000;
  console.log(
    `open: ${stats.files} files (${stats.structured} structured, ${stats.plainText} plain, ${stats.parseFailures} failed), ` +
      `${stats.lastScan.parsed} parsed, ${stats.lastScan.reused} reused, in ${openMs.toFixed(0)} ms = ${filesPerSecond.toFixed(0)} files/s parsed`,
  );
  console.log(`skipped: ${JSON.stringify(stats.skipped)}`);

  const tokenizer = qwen3Tokenizer();
  const counter: TokenCounter = { count: (text) => tokenizer.encode(text).length };
  const focus = { activeFile: probe };
  for (const budget of [32_768, 262_144]) {
    for (const attempt of ['first', 'warm', 'warm']) {
      const s = index.pack({ budget, focus }, counter).stats;
      console.log(
        `pack ${budget} (${attempt}): ${s.elapsedMs.toFixed(0)} ms, ${s.tokens} tokens, ${s.filesWhole} whole, ${s.filesOutlined} outlined, ${s.filesListed} listed, ${s.filesOmitted} omitted`,
      );
    }
  }

  writeFileSync(probe, "import { x } from './x';\nexport function benchmarkProbe(): number {\n  return x + 1;\n}\n");
  started = performance.now();
  const update = await index.update([{ path: probe, kind: 'changed' }]);
  console.log(`update one file: ${(performance.now() - started).toFixed(1)} ms (parsed ${update.parsed.join(', ')})`);
  const repack = index.pack({ budget: 262_144, focus }, counter);
  console.log(
    `re-pack 262144 after the update: ${repack.stats.elapsedMs.toFixed(0)} ms (${repack.stats.tokens} tokens)`,
  );
  clearInterval(sampler);
  console.log(`peak RSS: ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  await index.dispose();
}

void main();

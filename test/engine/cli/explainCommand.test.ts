/**
 * `hearth explain` through the built CLI on a small fixture repository: the explanation on stdout, progress and
 * the stats block on stderr, the hint when there is no model, and the demo on its own synthetic model.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { SYNTHETIC_GEOMETRIES } from '../../../src/engine/synthetic/syntheticConfig';
import type { CliRun } from '../../helpers/builtCli';

const CLI = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli.js');

const FIXTURE: Readonly<Record<string, string>> = {
  'package.json': '{\n  "name": "tally",\n  "scripts": { "build": "tsc", "test": "node --test" }\n}\n',
  'README.md': '# tally\n\nCounts words in files.\n',
  'src/main.ts':
    "import { countWords } from './count';\nimport { readInput } from './input';\n\nconsole.log(countWords(readInput(process.argv[2])));\n",
  'src/count.ts':
    'export function countWords(text: string): number {\n  return text.split(/\\s+/).filter(Boolean).length;\n}\n',
  'src/input.ts':
    "import { readFileSync } from 'node:fs';\n\nexport function readInput(path: string): string {\n  return readFileSync(path, 'utf8');\n}\n",
  'test/count.test.ts':
    "import { countWords } from '../src/count';\n\nif (countWords('a b') !== 2) throw new Error('countWords');\n",
};

/** The labels of the closing block, in order. */
const STATS_LABELS = ['files', 'context', 'prompt', 'prefill', 'decode', 'first token', 'total'];

function hearth(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HEARTH_MODEL: '', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The stats block: the labelled lines at the end of stderr. */
function statsBlock(stderr: string): Map<string, string> {
  const block = stderr.slice(stderr.lastIndexOf('\n\n') + 2);
  return new Map(
    block
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const match = /^([a-z -]+): +(.*)$/.exec(line);
        assert.ok(match, `not a stats line: ${line}`);
        return [match[1], match[2]] as const;
      }),
  );
}

describe('hearth explain (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-explain-cli-'));
  const root = join(dir, 'tally');
  const checkpoint = join(dir, 'tiny');
  const cacheDir = join(dir, 'cache');

  before(async () => {
    for (const [path, text] of Object.entries(FIXTURE)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    await writeSyntheticCheckpoint({
      outDir: checkpoint,
      geometry: { ...SYNTHETIC_GEOMETRIES.tiny, maxPositionEmbeddings: 4096 },
      dtype: 'fp8',
      seed: 1,
      arch: 'qwen3',
      tied: true,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('streams the explanation to stdout, with progress and the stats block on stderr ($HEARTH_MODEL as the model)', () => {
    const run = hearth(
      ['explain', '--root', root, '--cache-dir', cacheDir, '--threads', '1', '--max-tokens', '16', '--seed', '1'],
      { HEARTH_MODEL: checkpoint },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stdout.trim().length > 0, 'an explanation');
    assert.ok(run.stdout.endsWith('\n'));
    assert.match(run.stderr, /^indexing 6 files \(\d+ with structure\) in [\d.]+ s$/m);
    assert.match(
      run.stderr,
      /^model .*tiny: hybrid, int8 weights, float32 KV cache, context 4,096 tokens; loaded in [\d.]+ s$/m,
    );
    assert.match(run.stderr, /^prefill +0% +0 \/ [\d,]+ tokens/m);
    assert.match(run.stderr, /^prefill done in [\d.]+ s$/m);

    const stats = statsBlock(run.stderr);
    assert.deepEqual([...stats.keys()], STATS_LABELS);
    const files = /^(\d+) whole, (\d+) outlined, (\d+) listed, (\d+) omitted \(of (\d+) indexed\)$/.exec(
      stats.get('files')!,
    );
    assert.ok(files, stats.get('files'));
    assert.ok(
      Number(files[1]) >= Object.keys(FIXTURE).length,
      `all ${Object.keys(FIXTURE).length} files whole: ${stats.get('files')}`,
    );
    assert.equal(files[5], String(Object.keys(FIXTURE).length));
    // The default budget: the 4,096-token context less the answer, the prompt's own text and the template.
    const context = /^([\d,]+) tokens \(budget ([\d,]+)\)$/.exec(stats.get('context')!);
    assert.ok(context, stats.get('context'));
    const budget = Number(context[2].replace(/,/g, ''));
    assert.ok(budget > 3500 && budget < 4096 - 16, `budget ${budget}`);
    const prompt = /^([\d,]+) tokens, 0 cached$/.exec(stats.get('prompt')!);
    assert.ok(
      prompt && Number(prompt[1].replace(/,/g, '')) > Number(context[1].replace(/,/g, '')),
      stats.get('prompt'),
    );
    assert.match(stats.get('prefill')!, /^[\d.]+ tokens\/s$/);
    assert.match(stats.get('decode')!, /^[\d.]+ tokens\/s, 16 tokens \(length\)$/);
    assert.match(stats.get('first token')!, /^[\d.]+ s$/);
    assert.match(stats.get('total')!, /^[\d.]+ s \(indexing [\d.]+ s, loading [\d.]+ s\)$/);
  });

  it('says how to get a model when none is given, with exit code 2', () => {
    const run = hearth(['explain', '--root', root, '--cache-dir', cacheDir]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no model: give --model DIR or set HEARTH_MODEL/);
    assert.match(run.stderr, /hearth download Qwen\/Qwen3-4B-Instruct-2507-FP8/);
    assert.match(run.stderr, /then pass: +--model "/);
    assert.match(run.stderr, /hearth explain --demo/);
    assert.equal(run.stdout, '');
  });

  it('runs the whole pipeline on its own tiny model with --demo, and shows the prefix cache on a follow-up', () => {
    const run = hearth([
      'explain',
      '--demo',
      '--root',
      root,
      '--cache-dir',
      cacheDir,
      '--threads',
      '1',
      '--max-tokens',
      '8',
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^demo mode: a tiny synthetic model with random weights/m);
    assert.match(run.stderr, /^model .*demo-checkpoint: hybrid, int8 weights, int8 KV cache, context 8,192 tokens/m);
    assert.ok(existsSync(join(cacheDir, 'demo-checkpoint', 'config.json')));
    assert.ok(run.stdout.trim().length > 0);
    const stats = statsBlock(run.stderr);
    assert.deepEqual([...stats.keys()], [...STATS_LABELS, 'follow-up']);
    assert.match(stats.get('decode')!, /, 8 tokens \(length\)$/);
    const followUp = /^([\d,]+) of ([\d,]+) prompt tokens cached; /.exec(stats.get('follow-up')!);
    assert.ok(followUp, stats.get('follow-up'));
    const [cached, prompt] = [Number(followUp[1].replace(/,/g, '')), Number(followUp[2].replace(/,/g, ''))];
    // Everything up to the question: the repository block and the instructions.
    assert.ok(cached > 0.8 * prompt && cached < prompt, `${cached} of ${prompt}`);
  });
});

// Hearth's engine against llama.cpp on the same weights, the same machine and the same run, in alternating
// rounds (this VM's speed drifts by 2× within minutes, so only ratios measured side by side mean anything).
// Hearth's float32 cache is set against llama.cpp's F32 and F16 caches, its 8-bit cache against Q8_0.
//   node --import tsx scripts/peerBenchmark.ts [--geometry 0.6b|4b|tiny] [--depth 8192]… [--kv float32,int8]
//       [--rounds 2] [--threads 2] [--work-dir DIR]
// Needs `npm run build` (dist/cli.js), python3 with numpy, and node-llama-cpp installed in DIR/peer as
// ../shared/peer/README.md says; prints that command when it is missing. Never part of `npm test`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    geometry: { type: 'string', default: '0.6b' },
    depth: { type: 'string', multiple: true, default: ['8192'] },
    kv: { type: 'string', default: 'float32,int8' },
    rounds: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    'work-dir': { type: 'string', default: '/tmp/hearth-peer' },
  },
});
const repoRoot = resolve(__dirname, '..');
const peerTools = resolve(repoRoot, '../shared/peer');
const workDir = resolve(values['work-dir']);
const peerDir = join(workDir, 'peer');
const checkpoint = join(workDir, `checkpoint-${values.geometry}`);
const gguf = join(workDir, `model-${values.geometry}-q8_0.gguf`);
const depths = values.depth.map(Number);
/**
 * Per Hearth KV dtype, the llama.cpp cache types it is set against (flash attention on): the one that stores the
 * same precision, and for float32 also F16, llama.cpp's default and its fastest cache on CPU.
 */
const KV_PAIRS: Record<string, string[]> = { float32: ['F32', 'F16'], int8: ['Q8_0'] };

interface Speeds {
  [test: string]: number;
}

function run(command: string, args: string[], cwd = repoRoot): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
}

function prepare(): void {
  if (!existsSync(join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build`.');
  if (!existsSync(join(peerDir, 'node_modules', 'node-llama-cpp'))) {
    throw new Error(
      `node-llama-cpp is not installed in ${peerDir}. Install it (about 85 MB) with:\n` +
        `  mkdir -p ${peerDir} && cd ${peerDir} && npm init -y >/dev/null && ` +
        'npm i --omit=optional node-llama-cpp@3.22.1 @node-llama-cpp/linux-x64@3.22.1',
    );
  }
  // The measuring script resolves node-llama-cpp from where it lies.
  copyFileSync(join(peerTools, 'bench_llama.mjs'), join(peerDir, 'bench_llama.mjs'));
  mkdirSync(workDir, { recursive: true });
  if (!existsSync(join(checkpoint, 'config.json'))) {
    process.stderr.write(`making a synthetic ${values.geometry} FP8 checkpoint in ${checkpoint}\n`);
    run(process.execPath, [
      'dist/cli.js',
      'make-checkpoint',
      '--out',
      checkpoint,
      '--geometry',
      values.geometry,
      '--dtype',
      'fp8',
      '--seed',
      '1',
    ]);
  }
  if (!existsSync(gguf)) {
    process.stderr.write(`writing ${gguf} (q8_0, the same FP8 weights dequantised)\n`);
    run('python3', [
      join(peerTools, 'write_gguf.py'),
      '--model-dir',
      checkpoint,
      '--tokenizer',
      join(checkpoint, 'tokenizer.json'),
      '--tokenizer-config',
      join(checkpoint, 'tokenizer_config.json'),
      '--outtype',
      'q8_0',
      '--out',
      gguf,
    ]);
  }
}

/** Hearth's `bench` (int8 weights): pp512, tg128, and per depth the prefill from empty and tg128 after it. */
function hearthSpeeds(kv: string): Speeds {
  const args = ['dist/cli.js', 'bench', '--model', checkpoint, '--kv', kv, '--threads', values.threads, '--json'];
  for (const depth of depths) args.push('--depth', String(depth));
  const report = JSON.parse(run(process.execPath, args)) as { results: { test: string; tokensPerSecond: number }[] };
  const speeds: Speeds = {};
  for (const { test, tokensPerSecond } of report.results) speeds[test.replace(' @ ', '@')] = tokensPerSecond;
  return speeds;
}

/** llama.cpp's speeds under the same names; one run per depth (its script fills one depth a run). */
function llamaSpeeds(cacheType: string): Speeds {
  const speeds: Speeds = {};
  for (const depth of depths) {
    const out = JSON.parse(
      run(
        process.execPath,
        ['bench_llama.mjs', '--model', gguf, '--threads', values.threads, '--kv', cacheType, '--fa'].concat([
          '--depth',
          String(depth),
          '--reps',
          '1',
        ]),
        peerDir,
      ),
    ) as Speeds;
    Object.assign(speeds, {
      pp512: out.pp512,
      tg128: out.tg128,
      [`pp${depth}`]: out[`pp@${depth}`],
      [`tg128@d${depth}`]: out[`tg128@d${depth}`],
    });
  }
  return speeds;
}

const range = (xs: number[], digits: number): string => {
  const [low, high] = [Math.min(...xs), Math.max(...xs)];
  return low.toFixed(digits) === high.toFixed(digits)
    ? low.toFixed(digits)
    : `${low.toFixed(digits)}–${high.toFixed(digits)}`;
};

function main(): void {
  prepare();
  const kvs = values.kv.split(',');
  for (const kv of kvs) if (KV_PAIRS[kv] === undefined) throw new Error(`--kv ${kv}: use float32 or int8.`);
  const samples = new Map<string, { hearth: Speeds; llama: Record<string, Speeds> }[]>(kvs.map((kv) => [kv, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const kv of kvs) {
      // Alternate which engine goes first, so that neither always meets the machine warmer.
      process.stderr.write(`round ${round + 1}, KV ${kv}\n`);
      const llama: Record<string, Speeds> = {};
      const runLlama = (): void => KV_PAIRS[kv].forEach((type) => (llama[type] = llamaSpeeds(type)));
      if (round % 2 === 1) runLlama();
      const hearth = hearthSpeeds(kv);
      if (round % 2 === 0) runLlama();
      samples.get(kv)!.push({ hearth, llama });
    }
  }
  // A depth of 512 fills the same prompt as pp512: one row.
  const tests = [...new Set(['pp512', 'tg128', ...depths.flatMap((d) => [`pp${d}`, `tg128@d${d}`])])];
  const lines = [
    `${values.geometry} geometry, int8 weights (Hearth) / q8_0 (llama.cpp, flash attention), ${values.threads} threads, ` +
      `${values.rounds} alternating rounds; tokens/s and Hearth ÷ llama.cpp per round`,
    '',
    '| KV | test | Hearth t/s | llama.cpp t/s | ratio |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const [kv, rounds] of samples)
    for (const type of KV_PAIRS[kv])
      for (const test of tests) {
        const [hearth, llama] = [rounds.map((r) => r.hearth[test]), rounds.map((r) => r.llama[type][test])];
        const ratios = hearth.map((h, i) => h / llama[i]);
        lines.push(`| ${kv} / ${type} | ${test} | ${range(hearth, 1)} | ${range(llama, 1)} | ${range(ratios, 2)} × |`);
      }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();

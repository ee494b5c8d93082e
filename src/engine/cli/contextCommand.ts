import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkBudget } from '../context/contextPacker';
import { explainRanking } from '../context/rankingExplanation';
import { RepositoryIndex } from '../context/repositoryIndex';
import type { ContextRankingEntry } from '../../shared/protocol';
import { bundledQwen3TokenizerDir } from '../text/bundledTokenizer';
import { Tokenizer } from '../text/tokenizer';
import { DEFAULT_QUESTION_SHARE, MAX_QUESTION_SHARE } from '../../shared/wire/contextParamsSchemas';
import { parseChoice, parseIntegerOption, UsageError, type CliCommand } from './cliCommand';
import { ProgressLine } from './progressLine';

export const contextCommand: CliCommand = {
  name: 'context',
  summary: 'index a repository and pack it into a token budget; prints the stats (and the block with --print)',
  usage:
    'hearth context --root DIR [--root DIR…] --budget N [--focus FILE] [--open FILE…] [--query TEXT] [--question-share 0…0.9] [--format qwen|markdown] [--exclude GLOB…] [--model DIR] [--cache-dir DIR] [--json] [--print] [--explain-ranking]',
  async run(args, signal) {
    const { values } = parseArgs({
      args,
      options: {
        root: { type: 'string', multiple: true },
        budget: { type: 'string' },
        focus: { type: 'string' },
        open: { type: 'string', multiple: true },
        query: { type: 'string' },
        'question-share': { type: 'string' },
        format: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        model: { type: 'string' },
        'cache-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        print: { type: 'boolean', default: false },
        'explain-ranking': { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!values.root?.length) throw new UsageError('--root is required.');
    const budget = parseIntegerOption('budget', values.budget);
    checkBudget(budget); // before the index is built, not after
    const format = parseChoice('format', values.format, ['qwen', 'markdown'] as const, 'qwen');
    const questionShare = parseQuestionShare(values['question-share']);

    // Token counts come from the model's own tokenizer; every Qwen3 model shares the bundled one.
    const tokenizer = Tokenizer.load(values.model ?? bundledQwen3TokenizerDir());
    const counter = { count: (text: string) => tokenizer.countPlainText(text) };

    const progress = new ProgressLine('indexing');
    const index = await RepositoryIndex.open(
      {
        // The engine takes absolute roots only; a command line means them from where it runs.
        roots: values.root.map((root) => resolve(root)),
        ...(values.exclude && { excludes: values.exclude }),
        ...(values['cache-dir'] !== undefined && { cacheDir: values['cache-dir'] }),
      },
      (p) => (p.phase === 'parsing' ? progress.update(p.filesDone, p.filesTotal) : undefined),
      signal,
    );
    try {
      const { stats } = index;
      progress.done(
        `${stats.files} files (${stats.structured} with structure) in ${(stats.lastScan.elapsedMs / 1000).toFixed(2)} s`,
      );
      const focus = {
        ...(values.focus && { activeFile: values.focus }),
        ...(values.open && { openFiles: values.open }),
        ...(values.query && { query: values.query }),
      };
      const packed = index.pack({ budget, format, focus, questionShare }, counter, signal);
      const ranking = values['explain-ranking'] ? explainRanking(index, { focus }, packed.placements) : undefined;
      if (values.print) process.stdout.write(`${packed.text}\n`);
      const s = packed.stats;
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ index: stats, pack: s, ...(ranking && { ranking }) })}\n`
          : `${s.filesWhole} whole, ${s.filesExcerpted} excerpts, ${s.filesOutlined} outlined, ${s.filesListed} named in the map, ${s.filesOmitted} counted in it; ${s.tokens} of ${s.budget} tokens (${s.overviewTokens} the overview every request shares); packed in ${s.elapsedMs.toFixed(0)} ms\n`,
      );
      if (ranking !== undefined && !values.json) process.stdout.write(rankingTable(ranking));
    } finally {
      await index.dispose();
    }
  },
};

/** One line per file shown: part, place, rendering, role and the signals, then the path. */
function rankingTable(ranking: readonly ContextRankingEntry[]): string {
  const lines = ranking.map(
    (r) =>
      `${r.part.padEnd(8)} ${String(r.rank + 1).padStart(5)}  ${r.rendering.padEnd(8)} ${r.role.padEnd(11)} ` +
      `lexical ${r.lexical.toFixed(3)}  graph ${r.graph.toFixed(3)}  definition ${r.definition.toFixed(3)}  score ${r.score.toFixed(3)}  ${r.path}`,
  );
  return `part      rank  shown    role        signals\n${lines.join('\n')}\n`;
}

function parseQuestionShare(value: string | undefined): number {
  const share = Number(value ?? DEFAULT_QUESTION_SHARE);
  if (!(share >= 0 && share <= MAX_QUESTION_SHARE))
    throw new UsageError(`--question-share must be a number from 0 to ${MAX_QUESTION_SHARE}, not "${value}".`);
  return share;
}

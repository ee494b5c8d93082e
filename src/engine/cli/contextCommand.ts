import { parseArgs } from 'node:util';
import { checkBudget } from '../context/contextPacker';
import { RepositoryIndex } from '../context/repositoryIndex';
import { bundledQwen3TokenizerDir } from '../text/bundledTokenizer';
import { Tokenizer } from '../text/tokenizer';
import { parseChoice, parseIntegerOption, UsageError, type CliCommand } from './cliCommand';
import { ProgressLine } from './progressLine';

export const contextCommand: CliCommand = {
  name: 'context',
  summary: 'index a repository and pack it into a token budget; prints the stats (and the block with --print)',
  usage:
    'hearth context --root DIR [--root DIR…] --budget N [--focus FILE] [--open FILE…] [--query TEXT] [--format qwen|markdown] [--exclude GLOB…] [--model DIR] [--cache-dir DIR] [--json] [--print]',
  async run(args, signal) {
    const { values } = parseArgs({
      args,
      options: {
        root: { type: 'string', multiple: true },
        budget: { type: 'string' },
        focus: { type: 'string' },
        open: { type: 'string', multiple: true },
        query: { type: 'string' },
        format: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        model: { type: 'string' },
        'cache-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        print: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!values.root?.length) throw new UsageError('--root is required.');
    const budget = parseIntegerOption('budget', values.budget);
    checkBudget(budget); // before the index is built, not after
    const format = parseChoice('format', values.format, ['qwen', 'markdown'] as const, 'qwen');

    // Token counts come from the model's own tokenizer; every Qwen3 model shares the bundled one.
    const tokenizer = Tokenizer.load(values.model ?? bundledQwen3TokenizerDir());
    const counter = { count: (text: string) => tokenizer.encodePlainText(text).length };

    const progress = new ProgressLine('indexing');
    const index = await RepositoryIndex.open(
      {
        roots: values.root,
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
      const packed = index.pack(
        {
          budget,
          format,
          focus: {
            ...(values.focus && { activeFile: values.focus }),
            ...(values.open && { openFiles: values.open }),
            ...(values.query && { query: values.query }),
          },
        },
        counter,
        signal,
      );
      if (values.print) process.stdout.write(`${packed.text}\n`);
      const s = packed.stats;
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ index: stats, pack: s })}\n`
          : `${s.filesWhole} whole, ${s.filesOutlined} outlined, ${s.filesListed} listed, ${s.filesOmitted} omitted; ${s.tokens} of ${s.budget} tokens; packed in ${s.elapsedMs.toFixed(0)} ms\n`,
      );
    } finally {
      await index.dispose();
    }
  },
};

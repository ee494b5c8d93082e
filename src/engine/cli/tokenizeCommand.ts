import { parseArgs } from 'node:util';
import { bundledQwen3TokenizerDir } from '../text/bundledTokenizer';
import { Tokenizer } from '../text/tokenizer';
import { UsageError, type CliCommand } from './cliCommand';

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: "print a text's token ids (JSON) and their count, with a model's tokenizer or the bundled Qwen3 one",
  usage:
    'hearth tokenize --text TEXT [--model DIR] [--special]   (--special: spelled-out control tokens such as <|im_end|> become those tokens)',
  run(args) {
    const { values } = parseArgs({
      args,
      options: { text: { type: 'string' }, model: { type: 'string' }, special: { type: 'boolean', default: false } },
      strict: true,
    });
    if (values.text === undefined) throw new UsageError('--text is required.');
    // Only the tokenizer files are read: no weights are loaded. Every Qwen3 model shares the bundled tokenizer.
    const tokenizer = Tokenizer.load(values.model ?? bundledQwen3TokenizerDir());
    // As the engine's `tokenize` method encodes: plain text unless control tokens are asked for.
    const ids = values.special ? tokenizer.encode(values.text) : tokenizer.encodePlainText(values.text);
    process.stdout.write(`${JSON.stringify(ids)}\n${ids.length} token${ids.length === 1 ? '' : 's'}\n`);
    return Promise.resolve();
  },
};

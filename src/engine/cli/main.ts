/**
 * The `hearth` command line: drives the same engine code as the extension, from a terminal.
 *   node dist/cli.js <command> [options]      (npx hearth … inside the repository)
 */
import { EngineError } from '../../shared/engineError';
import { UsageError, type CliCommand } from './cliCommand';
import { benchCommand } from './benchCommand';
import { chatCommand } from './chatCommand';
import { contextCommand } from './contextCommand';
import { convertCommand } from './convertCommand';
import { doctorCommand } from './doctorCommand';
import { downloadCommand } from './downloadCommand';
import { explainCommand } from './explainCommand';
import { logitsCommand } from './logitsCommand';
import { makeCheckpointCommand } from './makeCheckpointCommand';
import { serveCommand } from './serveCommand';
import { tokenizeCommand } from './tokenizeCommand';

const commands: CliCommand[] = [
  explainCommand,
  chatCommand,
  serveCommand,
  tokenizeCommand,
  makeCheckpointCommand,
  convertCommand,
  logitsCommand,
  benchCommand,
  contextCommand,
  downloadCommand,
  doctorCommand,
];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: hearth <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'hearth <command> --help for its options',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`hearth: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return 0;
  }
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  try {
    await command.run(args, abort.signal);
    return 0;
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`hearth ${name}: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    if (abort.signal.aborted) {
      process.stderr.write(`hearth ${name}: cancelled\n`);
      return 130;
    }
    const hint = error instanceof EngineError && error.hint ? `\n${error.hint}` : '';
    process.stderr.write(`hearth ${name}: ${error instanceof Error ? error.message : String(error)}${hint}\n`);
    return 1;
  }
}

/**
 * Exits once stdout and stderr have taken everything written to them: past a pipe's buffer they are written
 * asynchronously, and exiting at once cuts the output short (`hearth context --print | cat`).
 */
function exitWhenWritten(code: number): void {
  let waiting = 2;
  const written = (): void => {
    if (--waiting === 0) process.exit(code);
  };
  // An empty write's callback runs after every earlier write, or with the error that ended the stream.
  process.stdout.write('', written);
  process.stderr.write('', written);
}

main(process.argv.slice(2)).then(exitWhenWritten, (error: unknown) => {
  process.stderr.write(`hearth: ${String(error)}\n`);
  exitWhenWritten(1);
});

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The built `hearth` CLI, dist/cli.js, which `npm test` builds first. */
export function builtCliPath(): string {
  const cli = join(resolve(__dirname, '..', '..'), 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does).`);
  return cli;
}

/** Runs the built `hearth` CLI, from `cwd` when given. */
export function runCli(args: string[], cwd?: string): CliRun {
  const result = spawnSync(process.execPath, [builtCliPath(), ...args], { encoding: 'utf8', cwd });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the built CLI with its stdout redirected to `file`, which takes every byte synchronously. */
export function runCliIntoFile(args: string[], file: string): number | null {
  const fd = openSync(file, 'w');
  try {
    return spawnSync(process.execPath, [builtCliPath(), ...args], { stdio: ['ignore', fd, 'ignore'] }).status;
  } finally {
    closeSync(fd);
  }
}

/**
 * `cat` for a named pipe, argv[1]: it takes the first byte as soon as it comes, says so, and reads the rest
 * only when told to.
 */
const LATE_CAT = `
const { openSync, readSync } = require('node:fs');
const fd = openSync(process.argv[1], 'r');
const chunks = [Buffer.alloc(1)];
chunks[0] = chunks[0].subarray(0, readSync(fd, chunks[0]));
process.send('started');
process.once('message', () => {
  process.disconnect();
  for (let chunk = Buffer.alloc(65536), n; (n = readSync(fd, chunk)) > 0; ) chunks.push(Buffer.from(chunk.subarray(0, n)));
  process.stdout.write(Buffer.concat(chunks));
});`;

/**
 * Runs the built CLI with its stdout piped into another process, as `hearth … | cat` does, through a named pipe
 * made in `dir` (a child's stdio 'pipe' is a socket, whose buffer is larger); returns what came out. That
 * process is a slow consumer: once the CLI has started writing, it waits until the CLI has exited, or `lagMs`,
 * before reading on, so the CLI fills the pipe's buffer and has to wait for it to drain.
 */
export async function runCliIntoPipe(
  args: string[],
  dir: string,
  lagMs = 1000,
): Promise<{ status: number | null; stdout: Buffer }> {
  const fifo = join(dir, `cli-stdout-${process.pid}-${Date.now()}`);
  execFileSync('mkfifo', [fifo]);
  const cat = spawn(process.execPath, ['-e', LATE_CAT, fifo], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const started = once(cat, 'message');
  let cli;
  const writeEnd = openSync(fifo, 'w'); // waits for the reader to open its end
  try {
    cli = spawn(process.execPath, [builtCliPath(), ...args], { stdio: ['ignore', writeEnd, 'ignore'] });
  } finally {
    closeSync(writeEnd);
    rmSync(fifo);
  }
  const chunks: Buffer[] = [];
  cat.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exited = new Promise<number | null>((done) => cli.once('exit', done));
  await started;
  let lag: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((done) => (lag = setTimeout(done, lagMs)))]);
  clearTimeout(lag);
  cat.send('read');
  const [status] = await Promise.all([exited, once(cat, 'close')]);
  return { status, stdout: Buffer.concat(chunks) };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { THINKING_2507_TEMPLATE } from '../engine/text/qwen3TemplateFixtures';

const CLI = join(resolve(__dirname, '..', '..'), 'dist', 'cli.js');

/** A running `hearth serve` (the built CLI) and its base URL, ending with /v1. */
export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `hearth serve --port 0 ARGS` and resolves once it says it is ready (or rejects with its stderr). */
export function startServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    env: { ...process.env, HEARTH_MODEL: '', HEARTH_API_KEY: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    return exited;
  };
  return new Promise((ready, fail) => {
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      const url = /ready at (http\S+)/.exec(stderr)?.[1];
      if (url !== undefined) ready({ url, child, stderr: () => stderr, stop });
    });
    void exited.then((code) => fail(new Error(`hearth serve exited with ${code}:\n${stderr}`)));
  });
}

/** A copy of a checkpoint with another chat template (Thinking-2507's), or none: a base model, FIM-trained. */
export function variantOf(checkpoint: string, dir: string, template: 'thinking-2507' | 'none'): string {
  cpSync(checkpoint, dir, { recursive: true });
  const path = join(dir, 'tokenizer_config.json');
  const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (template === 'none') delete config.chat_template;
  else config.chat_template = THINKING_2507_TEMPLATE;
  writeFileSync(path, JSON.stringify(config));
  return dir;
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { sendEngineRequest } from '../shared/engineRpc';
import { PROTOCOL_VERSION, type InitializeResult, type LogLevel } from '../shared/protocol';

const STDERR_LINES_KEPT = 5;

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EngineProcessOptions {
  /** Absolute path of the built engine bundle (dist/engine.js). */
  enginePath: string;
  clientName: string;
  clientVersion: string;
  logLevel: LogLevel;
  /** Variables added to the engine's environment (the proxy settings). */
  env?: Readonly<Record<string, string>>;
  /** Receives the engine's stderr, line by line. */
  log: (line: string) => void;
  /** How long `initialize` may go unanswered before the process counts as hung and is killed (default 30 s). */
  initializeTimeoutMs?: number;
}

/**
 * One engine subprocess and its JSON-RPC connection. Free of the VS Code API, so that tests drive the
 * real built engine through it. Restarts are the supervisor's business, not this class's.
 */
export class EngineProcess {
  readonly connection: MessageConnection;
  /** Resolves once the process has exited, for whatever reason. */
  readonly exited: Promise<EngineExit>;
  private exitStatus: EngineExit | undefined;
  /** The last lines the engine wrote to stderr, quoted when it dies during start-up. */
  private lastStderr: string[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.connection = createMessageConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        this.connection.dispose();
        resolve(this.exitStatus);
      });
    });
    // Writes to a dead child's stdin raise EPIPE; the exit handler reports the death itself.
    child.stdin.on('error', () => undefined);
  }

  /** Spawns the engine with the host's own Node (Electron run as Node inside VS Code) and initializes it. */
  static async start(options: EngineProcessOptions): Promise<{ engine: EngineProcess; info: InitializeResult }> {
    const child = spawn(process.execPath, [options.enginePath], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1' },
      windowsHide: true,
    });
    const engine = new EngineProcess(child);
    createInterface({ input: child.stderr }).on('line', (line) => {
      engine.lastStderr = [...engine.lastStderr.slice(-(STDERR_LINES_KEPT - 1)), line];
      options.log(line);
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    try {
      await spawned;
      engine.connection.listen();
      const timeoutMs = options.initializeTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          engine.kill();
          reject(new Error(`The engine did not answer "initialize" within ${timeoutMs / 1000} s`));
        }, timeoutMs);
      });
      const initialized = sendEngineRequest(engine.connection, 'initialize', {
        clientName: options.clientName,
        clientVersion: options.clientVersion,
        protocolVersion: PROTOCOL_VERSION,
        logLevel: options.logLevel,
      }).catch(async (error: unknown) => {
        // A process that died during start-up fails the request too; its exit status says more.
        const exit = await Promise.race([
          engine.exited,
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000)),
        ]);
        if (!exit) throw error;
        const said = engine.lastStderr.length > 0 ? `: ${engine.lastStderr.join(' | ')}` : '';
        throw new Error(`The engine exited during start-up (${describeExit(exit)})${said}`);
      });
      const info = await Promise.race([initialized, hung]).finally(() => clearTimeout(timer));
      return { engine, info };
    } catch (error) {
      engine.kill();
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitStatus !== undefined;
  }

  /** Asks the engine to shut down; kills it if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 2_000): Promise<EngineExit> {
    if (!this.hasExited) {
      const timer = setTimeout(() => this.kill(), timeoutMs);
      sendEngineRequest(this.connection, 'shutdown', undefined).catch(() => this.kill());
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  kill(): void {
    if (!this.hasExited) this.child.kill('SIGKILL');
  }
}

export function describeExit(exit: EngineExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

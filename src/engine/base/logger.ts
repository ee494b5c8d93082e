import { LOG_LEVELS, type LogLevel } from '../../shared/protocol';

/**
 * Logs to stderr, one line per message. stdout belongs to the protocol: a stray write there corrupts it,
 * so nothing in the engine may use console.log (main.ts redirects it here as a safeguard).
 */
export class Logger {
  /** Every level, most severe first. */
  static readonly levels: readonly LogLevel[] = LOG_LEVELS;

  constructor(
    private level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  error(message: string): void {
    this.log('error', message);
  }
  warn(message: string): void {
    this.log('warn', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  debug(message: string): void {
    this.log('debug', message);
  }

  private log(level: LogLevel, message: string): void {
    if (LOG_LEVELS.indexOf(level) > LOG_LEVELS.indexOf(this.level)) return;
    this.write(`${new Date().toISOString()} [${level}] ${message}\n`);
  }
}

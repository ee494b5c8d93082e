/**
 * One line of the engine's stderr, split into its level and message. The engine stamps each line with the time
 * and level; the extension's log channel adds its own, so the engine's are taken off to show one per line.
 */
export interface EngineLogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
}

const stamped = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z \[(error|warn|info|debug)\] (.*)$/s;

/** A line without the engine's stamp (a crash's stack, a runtime's own output) is kept whole, as info. */
export function parseEngineLogLine(line: string): EngineLogLine {
  const match = stamped.exec(line);
  return match ? { level: match[1] as EngineLogLine['level'], message: match[2] } : { level: 'info', message: line };
}

// The engine process's memory, as ping and memory/collect answer it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MemoryUsage } from '../../shared/protocol';

export function memoryUsage(): MemoryUsage {
  const memory = process.memoryUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
    arrayBuffersBytes: memory.arrayBuffers,
  };
}

/**
 * Runs a full garbage collection of this thread's heap, so that a memory reading does not depend on when V8 last
 * collected (the engine's heap swings by ~100 MiB with it). V8 exposes `gc` only when asked, here at first use.
 */
export function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * The engine answered no ping within the watchdog's bound and was killed, to be restarted like a crash; the
 * requests it had in flight end with this error instead of the bare "connection disposed".
 */
export class EngineHungError extends Error {
  constructor(readonly silentMs: number) {
    super(`The engine stopped responding for ${Math.round(silentMs / 1000)} s and was restarted.`);
    this.name = 'EngineHungError';
  }
}

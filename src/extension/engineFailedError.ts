/**
 * The engine crashed through its whole restart budget and stays down until the user restarts it: what its
 * requests fail with, and the notification that offers Restart and Show Logs.
 */
export class EngineFailedError extends Error {
  constructor(readonly reason: string) {
    super(`The Hearth engine failed: ${reason}. Run "Hearth: Restart Engine".`);
    this.name = 'EngineFailedError';
  }
}

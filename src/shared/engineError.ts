import { ResponseError } from 'vscode-jsonrpc';
import { EngineErrorCode, engineErrorKind, type EngineErrorData } from './protocol';

/** A typed engine error: thrown inside the engine, sent as a JSON-RPC error, rebuilt on the client. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = `EngineError(${engineErrorKind(code) ?? code})`;
  }

  get kind(): keyof typeof EngineErrorCode | undefined {
    return engineErrorKind(this.code);
  }

  toResponseError(): ResponseError<EngineErrorData> {
    const data: EngineErrorData = { kind: engineErrorKind(this.code) ?? 'InternalError' };
    if (this.hint !== undefined) data.hint = this.hint;
    return new ResponseError(this.code, this.message, data);
  }

  /** Rebuilds the typed error from a response; unknown shapes become InternalError. */
  static fromResponseError(error: ResponseError<unknown>): EngineError {
    const data = error.data as Partial<EngineErrorData> | undefined;
    const code =
      engineErrorKind(error.code) !== undefined ? (error.code as EngineErrorCode) : EngineErrorCode.InternalError;
    return new EngineError(code, error.message, typeof data?.hint === 'string' ? data.hint : undefined);
  }
}

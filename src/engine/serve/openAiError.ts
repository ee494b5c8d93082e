import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';

/** OpenAI's error `type`s, as its clients read them. */
export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'server_error';

/** The body OpenAI and vLLM send with every error status. */
export interface OpenAiErrorBody {
  error: { message: string; type: OpenAiErrorType; param: string | null; code: string | null };
}

/** An HTTP error in OpenAI's shape: the status, and the field at fault where one is. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: OpenAiErrorType,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'OpenAiError';
  }

  static invalid(message: string, param: string | null, code: string | null = null): OpenAiError {
    return new OpenAiError(400, message, 'invalid_request_error', param, code);
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  /** Any failure of a request as the error a client gets: engine errors keep their message and hint. */
  static from(error: unknown): OpenAiError {
    if (error instanceof OpenAiError) return error;
    if (!(error instanceof EngineError)) {
      return new OpenAiError(500, `Internal error: ${String(error)}`, 'server_error', null, 'internal_error');
    }
    const message = error.hint === undefined ? error.message : `${error.message} ${error.hint}`;
    switch (error.code) {
      case EngineErrorCode.InvalidParams:
        return new OpenAiError(400, message, 'invalid_request_error');
      case EngineErrorCode.ContextTooLarge:
        return new OpenAiError(400, message, 'invalid_request_error', 'messages', 'context_length_exceeded');
      case EngineErrorCode.UnsupportedModel:
        return new OpenAiError(400, message, 'invalid_request_error', null, 'unsupported_model');
      case EngineErrorCode.TooManyRequests:
        return new OpenAiError(429, message, 'server_error', null, 'too_many_requests');
      case EngineErrorCode.ModelNotLoaded:
      case EngineErrorCode.ShuttingDown:
        return new OpenAiError(503, message, 'server_error', null, 'unavailable');
      default:
        return new OpenAiError(500, message, 'server_error', null, error.kind ?? 'internal_error');
    }
  }
}

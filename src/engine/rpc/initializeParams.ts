import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, PROTOCOL_VERSION, type InitializeParams } from '../../shared/protocol';
import { parseEngineParams } from '../../shared/wire/parseEngineParams';

/**
 * Reads initialize's params. The protocol version is compared first, so that a client from another build hears
 * ProtocolMismatch whatever else its params hold; then the schema checks every field.
 */
export function parseInitializeParams(params: unknown): InitializeParams {
  const version = typeof params === 'object' && params !== null ? (params as InitializeParams).protocolVersion : null;
  if (typeof version === 'number' && version !== PROTOCOL_VERSION) {
    throw new EngineError(
      EngineErrorCode.ProtocolMismatch,
      `The client speaks protocol ${version}, this engine ${PROTOCOL_VERSION}.`,
      'Reinstall Hearth so that the extension and its engine come from the same build.',
    );
  }
  return parseEngineParams('initialize', params);
}

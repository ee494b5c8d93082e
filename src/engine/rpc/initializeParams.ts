import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, PROTOCOL_VERSION, type InitializeParams } from '../../shared/protocol';
import { Logger } from '../base/logger';
import { ParamsReader } from '../base/paramsReader';

/**
 * Reads initialize's params. The protocol version is compared first, so that a client from another build hears
 * ProtocolMismatch whatever else its params hold; then every field is checked (an unknown log level used to
 * turn every level on).
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
  const levels = Logger.levels.map((level) => `"${level}"`).join(' | ');
  const reader: ParamsReader = ParamsReader.of(
    params,
    'initialize',
    ['clientName', 'clientVersion', 'protocolVersion', 'logLevel'],
    `initialize takes { clientName: string, clientVersion: string, protocolVersion: number, logLevel?: ${levels} }.`,
  );
  const clientName = reader.string('clientName');
  const clientVersion = reader.string('clientVersion');
  const protocolVersion = reader.optionalInteger('protocolVersion', 0);
  if (protocolVersion === undefined) reader.fail('"protocolVersion" is required');
  const logLevel = reader.optionalChoice('logLevel', Logger.levels);
  return { clientName, clientVersion, protocolVersion, ...(logLevel !== undefined && { logLevel }) };
}

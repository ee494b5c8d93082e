import * as v from 'valibot';
import { LOG_LEVELS } from '../protocol';
import { choice, fields, text, wholeNumber } from './fieldSchemas';

/** initialize's params; the engine compares protocolVersion before anything else (see the engine's rpc). */
export const initializeParams = fields({
  clientName: text(),
  clientVersion: text(),
  protocolVersion: wholeNumber(0),
  logLevel: v.optional(choice(LOG_LEVELS)),
});

export type InitializeParams = v.InferInput<typeof initializeParams>;

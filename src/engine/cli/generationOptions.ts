import type { ParseArgsConfig } from 'node:util';
import { THINKING_MODES, type SamplingOverrides, type ThinkingMode } from '../../shared/protocol';
import { parseChoice, parseIntegerOption, UsageError } from './cliCommand';

/** The options of the commands that generate text (chat, explain). */
export const generationParseOptions = {
  thinking: { type: 'string' },
  seed: { type: 'string' },
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const generationUsage = '[--thinking on|off|auto] [--seed N] [--max-tokens N] [--temperature T]';

type GenerationOptionValues = { [K in keyof typeof generationParseOptions]?: string };

export interface GenerationOptions {
  thinking: ThinkingMode;
  /** Undefined: up to the end of the context (the service's default). */
  maxTokens: number | undefined;
  sampling: SamplingOverrides;
}

/** Parses the values; ranges (a seed's, a temperature's) are the service's to check, with its typed errors. */
export function parseGenerationOptions(
  values: GenerationOptionValues,
  defaultThinking: ThinkingMode,
): GenerationOptions {
  const maxTokens =
    values['max-tokens'] === undefined ? undefined : parseIntegerOption('max-tokens', values['max-tokens']);
  if (maxTokens !== undefined && maxTokens < 1) throw new UsageError('--max-tokens must be at least 1.');
  return {
    thinking: parseChoice('thinking', values.thinking, THINKING_MODES, defaultThinking),
    maxTokens,
    sampling: {
      ...(values.seed !== undefined && { seed: parseIntegerOption('seed', values.seed) }),
      ...(values.temperature !== undefined && { temperature: parseNumberOption('temperature', values.temperature) }),
    },
  };
}

function parseNumberOption(name: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new UsageError(`--${name} must be a number, not "${value}".`);
  return parsed;
}

import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { MAX_SEED } from './seededRandom';

/** How the next token is chosen. Each filter has a value that disables it. */
export interface SamplingParams {
  /** Divides the logits; 0 means greedy (always the most likely token). */
  temperature: number;
  /** Keep only the k most likely tokens; 0 disables. */
  topK: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; 1 disables. */
  topP: number;
  /** Drop tokens less likely than minP × the most likely one; 0 disables. */
  minP: number;
  /** Subtracted from the logit of every token the output already holds; 0 disables. */
  presencePenalty: number;
  /** Hugging Face's repetition penalty over prompt and output; 1 disables. */
  repetitionPenalty: number;
}

/** What a request may set; anything left out comes from the model's recommended values. */
export interface SamplingOverrides extends Partial<SamplingParams> {
  /** Same seed, same prompt, same settings: same output. */
  seed?: number;
}

interface Rule {
  check(value: number): boolean;
  expected: string;
}

const between = (min: number, max: number): Rule => ({
  check: (v) => v >= min && v <= max,
  expected: `from ${min} to ${max}`,
});

/** Ranges as OpenAI and vLLM accept them, so settings copied from either work unchanged. */
const RULES: Record<keyof SamplingOverrides, Rule> = {
  temperature: between(0, 2),
  topK: { check: (v) => Number.isInteger(v) && v >= 0, expected: 'a whole number, 0 or more (0 disables top-k)' },
  topP: { check: (v) => v > 0 && v <= 1, expected: 'greater than 0 and at most 1 (1 disables top-p)' },
  minP: between(0, 1),
  presencePenalty: between(-2, 2),
  repetitionPenalty: { check: (v) => v > 0 && v <= 2, expected: 'greater than 0 and at most 2 (1 disables it)' },
  seed: {
    check: (v) => Number.isSafeInteger(v) && v >= 0 && v <= MAX_SEED,
    expected: `a whole number from 0 to ${MAX_SEED}`,
  },
};

const SNAKE_CASE_NAMES: Readonly<Record<string, keyof SamplingOverrides>> = {
  top_k: 'topK',
  top_p: 'topP',
  min_p: 'minP',
  presence_penalty: 'presencePenalty',
  repetition_penalty: 'repetitionPenalty',
};

/**
 * Checks a request's sampling settings, all at once so one error lists every problem. Throws
 * EngineError(InvalidParams) naming each bad setting, what it was and what is allowed.
 */
export function validateSamplingOverrides(overrides: unknown): SamplingOverrides {
  if (overrides === undefined || overrides === null) return {};
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw invalid([`sampling settings must be an object, not ${JSON.stringify(overrides)}`]);
  }
  const problems: string[] = [];
  const valid: SamplingOverrides = {};
  for (const [key, value] of Object.entries(overrides as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(RULES, key)) {
      const suggestion = SNAKE_CASE_NAMES[key];
      problems.push(`unknown setting "${key}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`);
      continue;
    }
    const name = key as keyof SamplingOverrides;
    const rule = RULES[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || !rule.check(value)) {
      problems.push(
        `${name} must be ${rule.expected}, not ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`,
      );
      continue;
    }
    valid[name] = value;
  }
  if (problems.length > 0) throw invalid(problems);
  return valid;
}

function invalid(problems: string[]): EngineError {
  return new EngineError(
    EngineErrorCode.InvalidParams,
    `Invalid sampling settings: ${problems.join('; ')}.`,
    "Fix or remove these settings; any left out use the model's recommended values.",
  );
}

/** The params of context/index, context/update and context/pack: each type derived from its schema. */
import * as v from 'valibot';
import { TOKEN_COUNTERS } from '../protocol';
import { choice, fields, flag, fraction, list, nonEmptyStrings, nonEmptyText, text, wholeNumber } from './fieldSchemas';

export const CONTEXT_CHANGE_KINDS = ['changed', 'created', 'deleted'] as const;
export const CONTEXT_FORMATS = ['qwen', 'markdown'] as const;

const MAX_ROOTS = 64;
const MAX_GLOBS = 1_000;
const MAX_CHANGES = 10_000;
const MAX_OPEN_FILES = 200;
/** context/pack's bounds on a budget: a repository prefix is the overview of a block packed at one. */
const MIN_PREFILL_BUDGET = 256;
const MAX_PREFILL_BUDGET = 262_144;
/**
 * The share of a block packed for the request (its question and editors); the rest is the overview every request
 * shares. Larger finds more of what a question asks for; smaller leaves more of the block prefilled in advance.
 */
export const DEFAULT_QUESTION_SHARE = 0.7;
export const MAX_QUESTION_SHARE = 0.9;

export const contextIndexParams = fields({
  /** Absolute folders: the workspace roots. */
  roots: nonEmptyStrings(MAX_ROOTS, { nonEmpty: true }),
  /** Globs to leave out, beside .gitignore (VS Code's files.exclude and Hearth's own setting). */
  excludes: v.optional(nonEmptyStrings(MAX_GLOBS)),
  /** Larger files are listed by path only. */
  maxFileBytes: v.optional(wholeNumber(1)),
});

const contextFileChange = fields({
  /** Absolute, inside a root. */
  path: nonEmptyText(),
  kind: choice(CONTEXT_CHANGE_KINDS),
  /** Unsaved editor contents; without it the engine reads the disk. */
  content: v.optional(text()),
});

export const contextUpdateParams = fields({ changes: list(contextFileChange, { maxItems: MAX_CHANGES }) });

export const contextPackParams = fields({
  /** Tokens, 256…262,144, counted with the served model's tokenizer. */
  budget: wholeNumber(1),
  /** The Qwen repository format (default) or fenced Markdown. */
  format: v.optional(choice(CONTEXT_FORMATS)),
  focus: v.optional(
    fields({
      activeFile: v.optional(nonEmptyText()),
      openFiles: v.optional(nonEmptyStrings(MAX_OPEN_FILES)),
      query: v.optional(text()),
    }),
  ),
  /** Default DEFAULT_QUESTION_SHARE. */
  questionShare: v.optional(fraction(MAX_QUESTION_SHARE)),
  /** Return `ranking`: why each file shown is where it is. */
  explainRanking: v.optional(flag()),
  /** Default: the served model's, or the estimate while none is loaded. */
  tokenizer: v.optional(choice(TOKEN_COUNTERS)),
});

/**
 * `context/prefill`: computes the chat prompt's stable prefix (the system turn's start and the overview of the
 * block packed at `budget`, no question) on the chat model in the background, below every other request.
 */
export const contextPrefillParams = fields({
  /** The budget the chat packs its block at: the overview depends on it. */
  budget: wholeNumber(MIN_PREFILL_BUDGET, MAX_PREFILL_BUDGET),
  /** As the chat packs it (default qwen). */
  format: v.optional(choice(CONTEXT_FORMATS), 'qwen'),
  /** As the chat packs it: the overview's size depends on it. */
  questionShare: v.optional(fraction(MAX_QUESTION_SHARE)),
});

export type ContextIndexParams = v.InferInput<typeof contextIndexParams>;
export type ContextFileChange = v.InferOutput<typeof contextFileChange>;
export type ContextUpdateParams = v.InferInput<typeof contextUpdateParams>;
export type ContextPackParams = v.InferInput<typeof contextPackParams>;
export type ContextPrefillParams = v.InferInput<typeof contextPrefillParams>;

import type { ModelKind, ThinkingMode } from '../../shared/protocol';
import type { ThinkingDecision } from '../../shared/webviewProtocol';

/**
 * Whether a chat turn thinks. Pure policy: the toggle (`auto | on | off`), the model's kind, and for `auto` a
 * guess from the question: requests that change the structure of code across places (refactor, extract,
 * migrate, split, move…) are worth the reasoning tokens; quick questions are not.
 */
export interface ThinkingPlan {
  /** What to ask the engine for. */
  request: ThinkingMode;
  /** What the UI shows while the answer streams. */
  decision: ThinkingDecision;
}

/** Verbs (and their forms) of requests that restructure code. "rename" only counts with a wide scope. */
const restructuring =
  /\b(refactor\w*|restructur\w*|extract\w*|migrat\w*|rewrit\w*|rewrote|split\w*|mov(e|es|ed|ing)|reorgani[sz]\w*|decoupl\w*|modulari[sz]\w*|consolidat\w*|de-?duplicat\w*|redesign\w*|re-?architect\w*|port(ing)?\s+(it|this|that|the|\w+\s+(to|from))|convert\w*\s+\S+(\s+\S+){0,4}?\s+(to|into)|clean(ing)?\s+up|break(ing)?\s+(\S+\s+){0,3}?(up|apart|down)|(pull|factor)(ing)?\s+(\S+\s+){0,3}?out)\b/i;
const renameWide =
  /\brenam\w*\b.*\b(across|everywhere|throughout|all\s+(files|uses|usages|callers|references|occurrences)|(the\s+)?(whole\s+)?(project|codebase|repo|repository|workspace)|every\s+(file|use|caller))\b/i;
/** A question about what is, rather than a request to change it. */
const factualQuestion =
  /^\s*(what|where|which|who|when|why|is|are|does|do|did|was|were|has|have|explain|describe|list|show\s+me|summari[sz]e)\b/i;
/** …unless it asks how to go about a change. */
const planning = /\b(should|how\s+(would|should|could|can|do|to)|plan|steps|best\s+way)\b/i;

/** Hearth's `auto` guess: true for refactor-type requests. */
export function looksLikeRefactor(question: string): boolean {
  const text = question.replace(/`[^`]*`/g, ' '); // identifiers in code spans are not verbs
  const restructure = restructuring.test(text) || renameWide.test(text);
  if (!restructure) return false;
  return !factualQuestion.test(text) || planning.test(text);
}

export function planThinking(mode: ThinkingMode, kind: ModelKind, question: string): ThinkingPlan {
  if (kind === 'instruct-2507') return { request: 'off', decision: { enabled: false, decidedBy: 'model' } };
  if (kind === 'thinking-2507') return { request: 'on', decision: { enabled: true, decidedBy: 'model' } };
  if (mode !== 'auto') return { request: mode, decision: { enabled: mode === 'on', decidedBy: 'request' } };
  const enabled = looksLikeRefactor(question);
  return { request: enabled ? 'on' : 'off', decision: { enabled, decidedBy: 'auto' } };
}

/**
 * What the UI shows once the answer is done: the engine's word, except that a request Hearth made for `auto`
 * stays "auto" (the engine only saw on/off). A `/think` or `/no_think` in the question wins, as the engine says.
 */
export function finalThinking(
  plan: ThinkingPlan,
  engine: { enabled: boolean; decidedBy: 'model' | 'soft-switch' | 'request' },
): ThinkingDecision {
  if (engine.decidedBy === 'request' && plan.decision.decidedBy === 'auto')
    return { enabled: engine.enabled, decidedBy: 'auto' };
  return { enabled: engine.enabled, decidedBy: engine.decidedBy };
}

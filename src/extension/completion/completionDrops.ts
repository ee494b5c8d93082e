/**
 * Why suggestions were dropped, and whether to say so: after a few engine answers in a row gave the user
 * nothing, the status bar shows a quiet hint with the reason, until a suggestion is shown again.
 */

/** Why an engine request gave no suggestion: the time budget ran out first, the user moved on, the model was busy. */
export type DropReason = 'overBudget' | 'cancelled' | 'modelBusy';

/** Engine answers in a row that gave nothing before the hint shows. */
export const DROPS_BEFORE_HINT = 3;

export interface DropHint {
  /** The most frequent reason among the recent drops (the latest on a tie). */
  reason: DropReason;
  /** Engine answers in a row that gave nothing. */
  inARow: number;
}

export class CompletionDrops {
  private streak: DropReason[] = [];

  constructor(
    /** Counted here: the completion statistics' own record. */
    private readonly counts: Record<DropReason, number>,
    private readonly onChange: () => void = () => undefined,
  ) {}

  drop(reason: DropReason): void {
    this.counts[reason]++;
    this.streak.push(reason);
    if (this.streak.length >= DROPS_BEFORE_HINT) this.onChange();
  }

  /** A suggestion was shown: the hint goes away. */
  shown(): void {
    const hadHint = this.hint !== undefined;
    this.streak = [];
    if (hadHint) this.onChange();
  }

  get hint(): DropHint | undefined {
    if (this.streak.length < DROPS_BEFORE_HINT) return undefined;
    const recent = this.streak.slice(-DROPS_BEFORE_HINT);
    let reason = recent[recent.length - 1];
    for (const candidate of recent)
      if (recent.filter((r) => r === candidate).length > recent.filter((r) => r === reason).length) reason = candidate;
    return { reason, inARow: this.streak.length };
  }
}

const because: Record<DropReason, { short: string; why: string }> = {
  overBudget: {
    short: 'slow',
    why: 'the model did not answer within the time budget (a chat answer may be using it, or the model is too large for completions here)',
  },
  cancelled: { short: 'waiting', why: 'each request was cancelled by further typing before it answered' },
  modelBusy: { short: 'busy', why: 'the model was busy with other requests' },
};

/** The status bar's text suffix and tooltip for a hint. */
export function describeDropHint(hint: DropHint): { suffix: string; tooltip: string } {
  const { short, why } = because[hint.reason];
  return {
    suffix: ` (${short})`,
    tooltip: `The last ${hint.inARow} completion requests showed nothing: ${why}. "Hearth: Show Completion Statistics" counts each reason.`,
  };
}

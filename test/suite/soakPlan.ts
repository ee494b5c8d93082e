/**
 * What a soak does, drawn once from a seed with fast-check: the requests in order (chat or completion, whether
 * and when each is cancelled) and the engine kills. The same seed gives the same plan, so a failure reruns.
 */
import fc from 'fast-check';

export interface SoakOptions {
  /** Chat questions and completion requests together. */
  requests: number;
  /** Engine processes killed (SIGKILL) while the requests run. */
  kills: number;
  seed: number;
}

export interface PlannedRequest {
  kind: 'chat' | 'completion';
  /** Cancelled this long after it started (the view's Stop, or VS Code cancelling the provider), or never. */
  cancelAfterMs?: number;
  /** Chat: the view's New chat first, so that the soak holds several conversations. */
  newChat: boolean;
  /** Completion: asked for explicitly (no debounce) rather than by typing. */
  explicit: boolean;
  /** Completion: the fixture line edited and completed at its end; chat: the file asked about. */
  place: number;
}

export interface PlannedKill {
  /** Killed once this many requests have started… */
  afterRequests: number;
  /** …and this much later, so that it lands inside a request. */
  delayMs: number;
}

export interface SoakPlan {
  seed: number;
  requests: PlannedRequest[];
  kills: PlannedKill[];
}

/** The largest delay before a cancellation, per kind: about one answer of the tiny model. */
const CANCEL_WITHIN_MS = { chat: 2_000, completion: 400 } as const;

function plannedRequest(kind: PlannedRequest['kind']): fc.Arbitrary<PlannedRequest> {
  return fc.record({
    kind: fc.constant(kind),
    // One request in four is cancelled.
    cancelAfterMs: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: CANCEL_WITHIN_MS[kind] }) },
    ),
    newChat: kind === 'chat' ? fc.integer({ min: 1, max: 8 }).map((draw) => draw === 1) : fc.constant(false),
    explicit: fc.boolean(),
    place: fc.nat({ max: 1_000 }),
  });
}

export function soakPlan({ requests, kills, seed }: SoakOptions): SoakPlan {
  // Kills fall between 5% and 70% of the way, one in each of `kills` equal stretches, so that requests run
  // between them and the last engine serves the rest: its memory is measured.
  const first = Math.max(1, Math.floor(requests * 0.05));
  const stretch = Math.max(1, Math.floor((requests * 0.7 - first) / Math.max(1, kills)));
  const plan = fc.record({
    requests: fc.array(
      fc.oneof(
        { weight: 2, arbitrary: plannedRequest('chat') },
        { weight: 3, arbitrary: plannedRequest('completion') },
      ),
      { minLength: requests, maxLength: requests },
    ),
    kills: fc.tuple(
      ...Array.from({ length: kills }, (_, slot) =>
        fc.record({
          afterRequests: fc.integer({ min: first + slot * stretch, max: first + (slot + 1) * stretch - 1 }),
          delayMs: fc.integer({ min: 0, max: 1_500 }),
        }),
      ),
    ),
  });
  // Without bias: fast-check otherwise favours small and extreme values, which a soak does not want.
  const [drawn] = fc.sample(fc.noBias(plan), { seed, numRuns: 1 });
  if (drawn === undefined) throw new Error('fast-check drew no soak plan.');
  const requestsPlanned = drawn.requests.map(({ cancelAfterMs, ...request }) => ({
    ...request,
    ...(cancelAfterMs !== undefined && { cancelAfterMs }),
  }));
  return { seed, requests: requestsPlanned, kills: drawn.kills.map((kill) => ({ ...kill })) };
}

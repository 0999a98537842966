/**
 * When a lost or refused node may be tried again. Genesys asks clients to rebind "in 30 second intervals"
 * (HA page) and that "the time between these attempts should be greater than 30 seconds" (DR page): the next
 * attempt starts MORE than `floorMs` after the previous attempt STARTED (at least a millisecond more), plus
 * jitter so that many gateways (and our own four binds) do not knock on a recovering node in lock-step.
 * The previous attempt may be another process's: the last one is kept in the store (bind_attempts).
 */

export interface RebindPolicy {
  /** Two attempts on one node start strictly more than this apart (Genesys: more than 30 s). */
  readonly floorMs: number;
  /** Up to this much is added at random. */
  readonly jitterMs: number;
}

/**
 * The time of the next attempt. A bind that was up for a long time and then lost may be retried at once
 * (its last attempt is long past); a node that refused is retried after the floor.
 */
export function nextAttemptAt(policy: RebindPolicy, lastAttemptAt: number | undefined, now: number, random: () => number): number {
  const earliest = lastAttemptAt === undefined ? now : Math.max(now, earliestAfter(policy, lastAttemptAt));
  return earliest + Math.floor(random() * policy.jitterMs);
}

/** The first instant an attempt may start after the last one (its end, or its start while it runs): strictly past the floor. */
export function earliestAfter(policy: RebindPolicy, lastAttemptAt: number): number {
  return lastAttemptAt + policy.floorMs + 1;
}

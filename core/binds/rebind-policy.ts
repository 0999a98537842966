/**
 * When a lost or refused node may be tried again. Genesys asks clients to rebind "in 30 second intervals"
 * (HA page) and that "the time between these attempts should be greater than 30 seconds" (DR page): the next
 * attempt starts no sooner than `floorMs` after the previous attempt STARTED, plus jitter so that many
 * gateways (and our own four binds) do not knock on a recovering node in lock-step.
 */

export interface RebindPolicy {
  /** Minimum time between the starts of two attempts on one node (Genesys: 30 s). */
  readonly floorMs: number;
  /** Up to this much is added at random. */
  readonly jitterMs: number;
}

/**
 * The time of the next attempt. A bind that was up for a long time and then lost may be retried at once
 * (its last attempt is long past); a node that refused is retried after the floor.
 */
export function nextAttemptAt(policy: RebindPolicy, lastAttemptAt: number | undefined, now: number, random: () => number): number {
  const earliest = lastAttemptAt === undefined ? now : Math.max(now, lastAttemptAt + policy.floorMs);
  return earliest + Math.floor(random() * policy.jitterMs);
}

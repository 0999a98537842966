/**
 * What the edge does after an ambiguous failure (timeout, 5xx, result 98: the site may have taken the MT).
 * Genesys documents that a repeated message_id gets 7, not that the OTHER site sees the ids the first one
 * took (nor how soon, nor during an outage), so resending to the other site at once may have the message
 * taken twice. Two policies, a setting (AMBIGUOUS_RETRY):
 *   `same-site-first`  the DR page's procedure: resubmit to the same site after a short pause, and only if the
 *                      same error comes again use the other site; all within the send's deadline
 *   `other-site`       the other site at once, with the same message_id (safe only where dedup is shared)
 * The default was chosen from the chaos run's figures (MTs taken twice, send latency) under each policy and
 * each of the simulator's dedup models; see docs/ambiguous-retry.md.
 */
export type AmbiguousRetry =
  | { readonly kind: "same-site-first"; readonly pauseMs: number }
  | { readonly kind: "other-site" };

export const AMBIGUOUS_RETRY_KINDS = ["same-site-first", "other-site"] as const;

/** A same-site resubmit is worth making only with at least this share of an attempt's timeout left after the pause. */
const MIN_SHARE_OF_ATTEMPT = 0.25;

/** Whether to resubmit to the same site now, given the time left before the send's deadline. */
export function resubmitSameSite(policy: AmbiguousRetry, remainingMs: number, attemptTimeoutMs: number): policy is Extract<AmbiguousRetry, { kind: "same-site-first" }> {
  return policy.kind === "same-site-first" && remainingMs - policy.pauseMs >= attemptTimeoutMs * MIN_SHARE_OF_ATTEMPT;
}

/**
 * What sending an MT came to. Three outcomes, never silence: `accepted` (Genesys took it, possibly on an
 * earlier attempt: `deduplicated`), `rejected` (a definite no, with the reason), `unknown` (we cannot know:
 * the caller must not blindly resend under a new id; resending with the same id is safe over HTTP).
 */
import { z } from "zod";

export const AttemptOutcome = z.enum([
  "accepted", // result 0 / submit_sm_resp ok
  "duplicate", // result 7: an earlier attempt was taken
  "rejected", // a client error (1-5, 8), result 99 (unmapped: contact the account manager) or a permanent SMPP status
  "throttled", // result 6 / ESME_RTHROTTLED / ESME_RMSGQFUL
  "refused", // never delivered: DNS, connection refused, TLS
  "timeout", // ambiguous: sent, no answer in time
  "http_error", // ambiguous: 5xx or an unreadable answer
  "internal_error", // ambiguous: result 98 or an undocumented code
  "skipped", // not tried: the health cache says the site is down
]);
export type AttemptOutcome = z.infer<typeof AttemptOutcome>;

export const Attempt = z.object({
  site: z.string(),
  /** SMSC node for the SMPP path. */
  node: z.string().optional(),
  outcome: AttemptOutcome,
  resultCode: z.number().int().optional(),
  httpStatus: z.number().int().optional(),
  /** SMPP command_status for the SMPP path. */
  smppStatus: z.number().int().optional(),
  ms: z.number().nonnegative(),
});
export type Attempt = z.infer<typeof Attempt>;

/**
 * Why a send was rejected, decided where the outcome is made (edge failover, core router), so that the
 * HTTP answer (send-answer.ts) never re-derives it from result codes:
 * `throttled` (Genesys result 6, ESME_RTHROTTLED / ESME_RMSGQFUL on every bind: resend later, same id),
 * `unavailable` (no site or bind could take it now: resend later, same id),
 * `permanent` (Genesys or the SMSC refused this message: do not resend it unchanged),
 * `conflict` (the id was already used for another message: nothing was sent; a new message needs a new id).
 */
export const RejectionKind = z.enum(["throttled", "unavailable", "permanent", "conflict"]);
export type RejectionKind = z.infer<typeof RejectionKind>;

/**
 * A long MT's segments (SMPP path, more than one): how many the message has and how many an SMSC accepted so
 * far, this attempt and earlier ones under the same id. `accepted < total` is a partial send: resending the
 * same id sends only the missing segments (same concatenation reference, total and sequence numbers).
 */
export const SegmentCount = z.object({
  total: z.number().int().min(2),
  accepted: z.number().int().nonnegative(),
});
export type SegmentCount = z.infer<typeof SegmentCount>;

const common = {
  messageId: z.string(),
  attempts: z.array(Attempt),
  segments: SegmentCount.optional(),
};

export const SendOutcome = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("accepted"),
    ...common,
    site: z.string(),
    node: z.string().optional(),
    resultCode: z.number().int(),
    /** True when the accepting answer was a 7: an earlier, ambiguous attempt had been taken. */
    deduplicated: z.boolean(),
    /** SMSC message ids, one per segment, on the SMPP path. */
    smscMessageIds: z.array(z.string()).optional(),
  }),
  z.object({
    status: z.literal("rejected"),
    ...common,
    kind: RejectionKind,
    site: z.string().optional(),
    resultCode: z.number().int().optional(),
    smppStatus: z.number().int().optional(),
    reason: z.string(),
    /** Set when the rejection is temporary (`throttled`, `unavailable`): the Retry-After of the answer. */
    retryAfterSeconds: z.number().int().positive().optional(),
  }),
  z.object({
    status: z.literal("unknown"),
    ...common,
    reason: z.string(),
  }),
]);
export type SendOutcome = z.infer<typeof SendOutcome>;

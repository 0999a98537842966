/**
 * The one SendOutcome → HTTP mapping, used by the edge's and the core's POST /v1/messages:
 *
 *   accepted                → 202 application/json, the outcome (`deduplicated: true` when an earlier attempt
 *                             was taken: a resend with the same id gets the same 202, as idempotent replays do)
 *   rejected, throttled     → 429 problem `throttled` + Retry-After
 *   rejected, unavailable   → 503 problem `unavailable` + Retry-After (when known)
 *   rejected, permanent     → 422 problem `rejected`
 *   rejected, conflict      → 409 problem `id-reused`: the id was used for another message; nothing sent
 *   unknown                 → 502 problem `outcome-unknown`: not a 2xx, so a client that reads 2xx as "sent"
 *                             is not misled; resend with the same id
 *
 * Every answer carries the message id as `Idempotency-Key` (and in the body), so a caller always has the id
 * that makes a resend safe. Problems carry the outcome as their `outcome` member.
 */
import type { HttpAnswer } from "./http-answer.ts";
import type { SendOutcome } from "./outcome.ts";
import { problemAnswer, type ProblemType } from "./problem.ts";

type NotAccepted = Exclude<SendOutcome, { status: "accepted" }>;

/** The status of an accepted send; exported for the documents (OpenAPI, docs/api.md). */
export const ACCEPTED_STATUS = 202;

const REJECTION_TYPE = { throttled: "throttled", unavailable: "unavailable", permanent: "rejected", conflict: "id-reused" } as const satisfies Record<string, ProblemType>;

function problemTypeOf(o: NotAccepted): ProblemType {
  return o.status === "unknown" ? "outcome-unknown" : REJECTION_TYPE[o.kind];
}

function detailOf(o: NotAccepted): string {
  if (o.status === "unknown") return o.reason;
  if (o.kind === "permanent") return `${o.reason}; do not resend it unchanged`;
  if (o.kind === "conflict") return o.reason;
  return o.retryAfterSeconds === undefined ? o.reason : `${o.reason}; resend with the same id after ${o.retryAfterSeconds} s`;
}

export function sendAnswer(o: SendOutcome): HttpAnswer {
  if (o.status === "accepted") {
    return { status: ACCEPTED_STATUS, headers: { "content-type": "application/json", "idempotency-key": o.messageId }, body: JSON.stringify(o) };
  }
  const headers: Record<string, string> = { "idempotency-key": o.messageId };
  if (o.status === "rejected" && o.retryAfterSeconds !== undefined) headers["retry-after"] = String(o.retryAfterSeconds);
  return problemAnswer({ type: problemTypeOf(o), detail: detailOf(o), extensions: { outcome: o }, headers });
}

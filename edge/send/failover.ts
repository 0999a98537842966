/**
 * Sending one MT through the ordered targets (primary first, so traffic returns to it as soon as its
 * breaker closes). The form body is encoded once by the caller and reused on every attempt, always with
 * the same message_id. After an ambiguous failure (timeout, 5xx, result 98) the `ambiguous` policy decides
 * (ambiguous-retry.ts): the same site again after a pause, then the next one (the DR page's procedure), or
 * the next one at once; a 7 then proves an earlier attempt was taken. A target the health cache knows is
 * down is skipped without a request; when every target is skipped the answer comes at once, with when to
 * retry.
 */
import { sleep, type Clock } from "../../contract/clock.ts";
import type { Attempt, SendOutcome } from "../../contract/outcome.ts";
import { resubmitSameSite, type AmbiguousRetry } from "./ambiguous-retry.ts";
import { attempt, type AttemptResult } from "./attempt.ts";
import type { Deadlines } from "./deadlines.ts";
import type { Defer, HealthBoard, Report } from "../health/board.ts";

export interface FailoverInput {
  /** The health board; its targets, in order, are where the send may go. */
  readonly board: HealthBoard;
  /** The encoded form, built once. */
  readonly body: string;
  readonly messageId: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly attemptTimeoutMs: number;
  readonly deadlineMs: number;
  readonly throttleRetryAfterS: number;
  /** After an ambiguous failure: the same site again after a pause first, or the next site at once. */
  readonly ambiguous: AmbiguousRetry;
  readonly defer: Defer;
  /** How attempt timeouts are timed (default: a clock timer per attempt). */
  readonly deadlines?: Deadlines;
}

/** Outcomes after which the site may have taken the MT. */
const AMBIGUOUS: ReadonlySet<AttemptResult["outcome"]> = new Set(["timeout", "http_error", "internal_error"]);

/** What an attempt's result means for the site's health (breaker, prober). */
export function reportOf(r: AttemptResult): Report {
  switch (r.outcome) {
    case "refused":
    case "timeout":
      return { ok: false, kind: "hard", error: r.error ?? r.outcome };
    case "http_error": // no status: the connection died (hard); a status: the site answered badly (soft)
      return { ok: false, kind: r.httpStatus === undefined ? "hard" : "soft", error: r.error ?? r.outcome };
    case "internal_error":
      return { ok: false, kind: "soft", error: r.error ?? r.outcome };
    default:
      return { ok: true, latencyMs: r.ms };
  }
}

export async function sendWithFailover(i: FailoverInput): Promise<SendOutcome> {
  const deadline = i.clock.now() + i.deadlineMs;
  const attempts: Attempt[] = [];
  const messageId = i.messageId;
  let ambiguous = false;

  /** One attempt at `t`, reported to the health board and recorded. */
  const once = async (t: { name: string; url: string }): Promise<AttemptResult> => {
    const timeoutMs = Math.min(i.attemptTimeoutMs, deadline - i.clock.now());
    const r = await attempt({ url: t.url, body: i.body, timeoutMs, fetch: i.fetch, clock: i.clock, ...(i.deadlines && { deadlines: i.deadlines }) });
    i.board.report(t.name, reportOf(r), i.defer);
    attempts.push({
      site: t.name, outcome: r.outcome, ms: r.ms,
      ...(r.httpStatus !== undefined && { httpStatus: r.httpStatus }),
      ...(r.resultCode !== undefined && { resultCode: r.resultCode }),
    });
    return r;
  };

  for (const t of i.board.targets) {
    if (deadline - i.clock.now() <= 0) break;
    const a = i.board.acquire(t.name);
    if (!a.allowed) {
      attempts.push({ site: t.name, outcome: "skipped", ms: 0 });
      continue;
    }
    let r = await once(t);
    // The same site again, past its breaker (this very failure may have opened it): the DR page's resubmit.
    if (AMBIGUOUS.has(r.outcome) && resubmitSameSite(i.ambiguous, deadline - i.clock.now(), i.attemptTimeoutMs)) {
      await sleep(i.clock, i.ambiguous.pauseMs);
      r = await once(t);
    }
    switch (r.outcome) {
      case "accepted":
      case "duplicate":
        return { status: "accepted", messageId, attempts, site: t.name, resultCode: r.resultCode!, deduplicated: r.outcome === "duplicate" };
      case "rejected":
        return { status: "rejected", kind: "permanent", messageId, attempts, site: t.name, resultCode: r.resultCode!, reason: r.error ?? "rejected by Genesys" };
      case "throttled":
        return { status: "rejected", kind: "throttled", messageId, attempts, site: t.name, resultCode: r.resultCode!, reason: "throttled by Genesys", retryAfterSeconds: i.throttleRetryAfterS };
      case "refused":
        break; // never delivered: next target at once
      default:
        ambiguous = true; // may have been taken: the next target gets the same message_id
    }
  }

  if (ambiguous) {
    return { status: "unknown", messageId, attempts, reason: "no site confirmed the message; an earlier attempt may have been taken: resend with the same message id" };
  }
  const now = i.clock.now();
  const retryAt = Math.min(...i.board.targets.map((t) => i.board.retryAt(t.name)));
  const retryAfterSeconds = Math.max(1, Math.ceil((retryAt - now) / 1000));
  const tried = attempts.some((a) => a.outcome !== "skipped");
  return {
    status: "rejected", kind: "unavailable", messageId, attempts, retryAfterSeconds,
    reason: tried ? "no Genesys site could be reached" : "every Genesys site is known to be down",
  };
}

/**
 * POST /v1/messages: one OutboundMessage (JSON) → Genesys through the healthiest site → a SendOutcome.
 * The Genesys message_id is the Idempotency-Key header, else the body's clientMessageId, else a fresh one;
 * it is always returned (body and header), so a caller can resend safely after an `unknown`.
 */
import type { Context } from "hono";
import type { Clock } from "../../contract/clock.ts";
import { genesysFormBody } from "../../contract/genesys-http.ts";
import { CLIENT_MESSAGE_ID_RULE, isClientMessageId, newClientMessageId, parseOutboundMessage } from "../../contract/message.ts";
import { ProblemError } from "../../contract/problem.ts";
import { sendAnswer } from "../../contract/send-answer.ts";
import { describeIssues, type Issue } from "../../contract/result.ts";
import type { EdgeConfig } from "../config.ts";
import type { Deadlines } from "../send/deadlines.ts";
import { sendWithFailover } from "../send/failover.ts";
import type { Defer, HealthBoard } from "../health/board.ts";
import type { Admission } from "./admission.ts";
import { sendOf } from "../../contract/message-status.ts";
import type { SendReports } from "../send/send-report.ts";
import { principalOf, principalName } from "./principal.ts";

export interface MessagesDeps {
  readonly config: EdgeConfig;
  readonly clock: Clock;
  readonly fetch: typeof fetch;
  readonly board: HealthBoard;
  readonly deferFor: (c: Context) => Defer;
  readonly deadlines: Deadlines;
  /** Checks a parsed message must pass before it is sent (scope, destination rules, limits). */
  readonly admit?: Admission;
  /** Tells the core about each send (GET /v1/messages/:id), in the background after the answer. */
  readonly reports?: SendReports;
}

function invalid(issues: readonly Issue[]): ProblemError {
  return new ProblemError({ type: "invalid-request", detail: describeIssues(issues), issues });
}

export function messagesHandler(d: MessagesDeps) {
  const { config } = d;
  return async (c: Context): Promise<Response> => {
    let json: unknown;
    try {
      json = JSON.parse(await c.req.raw.text()); // the raw Request: nothing else reads this body
    } catch {
      throw invalid([{ path: "", message: "the body must be a JSON object (an OutboundMessage)" }]);
    }
    const parsed = parseOutboundMessage(json);
    const key = c.req.raw.headers.get("idempotency-key") ?? undefined;
    const issues: Issue[] = parsed.success ? [] : [...parsed.issues];
    if (key !== undefined && !isClientMessageId(key)) {
      issues.push({ path: "Idempotency-Key", message: CLIENT_MESSAGE_ID_RULE });
    }
    if (key !== undefined && parsed.success && parsed.output.clientMessageId !== undefined && parsed.output.clientMessageId !== key) {
      issues.push({ path: "clientMessageId", message: "differs from the Idempotency-Key header: send one, or the same in both" });
    }
    if (!parsed.success || issues.length) throw invalid(issues);
    const msg = parsed.output;
    if (d.admit) {
      const admitted = d.admit(c, msg);
      if (admitted) await admitted;
    }
    const messageId = key ?? msg.clientMessageId ?? newClientMessageId(d.clock.now());

    const defer = d.deferFor(c);
    const first = d.board.refresh(defer);
    if (first) await first;
    const outcome = await sendWithFailover({
      board: d.board, body: genesysFormBody(msg, messageId, config.genesys), messageId,
      fetch: d.fetch, clock: d.clock, attemptTimeoutMs: config.attemptTimeoutMs, deadlineMs: config.deadlineMs,
      throttleRetryAfterS: config.throttleRetryAfterS, ambiguous: config.ambiguousRetry, defer, deadlines: d.deadlines,
    });
    const caller = principalOf(c);
    if (d.reports && caller) d.reports.report(messageId, { path: "http", principal: principalName(caller), send: sendOf(outcome, new Date(d.clock.now())) }, defer);
    // A plain Response, not c.json: Hono would copy prepared headers into a fresh Headers object first,
    // which on workerd is a measurable share of the hot path. For a server caller Vary is set here, not by
    // the CORS middleware (app.ts); for a browser the middleware adds its headers, Vary included, itself.
    // Every outcome is answered, not thrown: the mapping is the contract's (send-answer.ts).
    const answer = sendAnswer(outcome);
    if (!c.req.raw.headers.has("origin")) answer.headers.vary = "Origin";
    return new Response(answer.body, answer);
  };
}

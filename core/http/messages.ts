/**
 * POST /v1/messages: one MT. The body is an OutboundMessage (contract); the message id is the body's
 * clientMessageId, else the Idempotency-Key header, else a fresh one (both given and different: 400).
 * Answers, by SendOutcome:
 *   accepted            → 202 (200 when `deduplicated`: an earlier attempt was taken), the outcome as JSON
 *   unknown             → 202, the outcome (status "unknown": do not resend under a new id)
 *   rejected, throttled → 429 + Retry-After (SMPP ESME_RTHROTTLED / ESME_RMSGQFUL, or Genesys result 6)
 *   rejected, temporary → 503 + Retry-After (no bind active, …: `retryAfterSeconds` set)
 *   rejected, permanent → 422 (the SMSC refused this message; `smppStatus` / `reason` say why)
 * Rejections are problem+json with the outcome as the `outcome` member. Every outcome is recorded for
 * GET /v1/messages/:id (message-status.ts) before the answer.
 */
import type { Hono } from "hono";
import { CLIENT_MESSAGE_ID_RULE, describeIssues, isClientMessageId, newClientMessageId, parseOutboundMessage, sendOf, systemClock, type SendOutcome } from "../../contract/index.ts";
import { classifyStatus } from "../smpp/status.ts";
import { principalOf } from "./message-status.ts";
import { badRequest, problemResponse } from "./problem.ts";
import type { CoreAppDeps } from "./types.ts";

export async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw badRequest("the body must be JSON");
  }
}

export function outcomeResponse(o: SendOutcome): Response {
  if (o.status === "accepted") return Response.json(o, { status: o.deduplicated ? 200 : 202 });
  if (o.status === "unknown") return Response.json(o, { status: 202 });
  const retry = o.retryAfterSeconds;
  const throttled = (o.smppStatus !== undefined && classifyStatus(o.smppStatus) === "retry_other_bind") || o.resultCode === 6;
  const status = retry !== undefined ? (throttled ? 429 : 503) : 422;
  return problemResponse({
    status,
    type: status === 429 ? "throttled" : status === 503 ? "unavailable" : "rejected",
    title: status === 429 ? "Throttled" : status === 503 ? "No bind available" : "Message rejected",
    detail: o.reason,
    ...(retry !== undefined && { headers: { "Retry-After": String(retry) } }),
    extra: { outcome: o },
  });
}

export function messageRoutes(app: Hono, deps: CoreAppDeps): void {
  const clock = deps.clock ?? systemClock;
  app.post("/v1/messages", async (c) => {
    const parsed = parseOutboundMessage(await readJson(c.req.raw));
    if (!parsed.success) throw badRequest(describeIssues(parsed.issues), parsed.issues);
    const msg = parsed.output;
    const header = c.req.header("Idempotency-Key");
    if (header !== undefined && !isClientMessageId(header)) {
      throw badRequest(`Idempotency-Key: ${CLIENT_MESSAGE_ID_RULE}`, [{ path: "Idempotency-Key", message: "invalid" }]);
    }
    if (header !== undefined && msg.clientMessageId !== undefined && header !== msg.clientMessageId) {
      throw badRequest("Idempotency-Key and clientMessageId differ", [{ path: "clientMessageId", message: "differs from the Idempotency-Key header" }]);
    }
    // The message carries the caller's id when there is one (the router tells a caller's id, which a retry may
    // bring to another core, from one generated here, which no other core can have).
    const supplied = msg.clientMessageId ?? header;
    const messageId = supplied ?? newClientMessageId(clock.now());
    const outcome = await deps.sender.send(supplied === undefined ? msg : { ...msg, clientMessageId: supplied }, messageId);
    // Committed before the answer, so a GET right after it finds the message; a failure to record costs the
    // timeline its send, never the send its answer.
    await deps.sendLog
      .record({ clientMessageId: messageId, principal: principalOf(c), path: "smpp", send: sendOf(outcome, new Date(clock.now())) })
      .catch((err) => deps.log?.error("send record store failed", { err, messageId }));
    return outcomeResponse(outcome);
  });
}

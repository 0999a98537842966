/**
 * POST /v1/messages: one MT. The body is an OutboundMessage (contract); the message id is the body's
 * clientMessageId, else the Idempotency-Key header, else a fresh one (both given and different: 400).
 * Answers by the contract's one SendOutcome mapping (contract/send-answer.ts), as the edge does. Every
 * outcome is recorded for GET /v1/messages/:id (message-status.ts) before the answer.
 */
import type { Hono } from "hono";
import { CLIENT_MESSAGE_ID_RULE, describeIssues, isClientMessageId, newClientMessageId, parseOutboundMessage, sendAnswer, sendOf, systemClock, toResponse, type OutboundMessage } from "../../contract/index.ts";
import { principalOf } from "./message-status.ts";
import { badRequest, ProblemError } from "./problem.ts";
import type { CoreAppDeps } from "./types.ts";

export async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw badRequest("the body must be JSON");
  }
}

/** The first field of `msg` an SMPP submit_sm has no place for. */
function notCarried(msg: OutboundMessage): "attachments" | "appId" | "conversationId" | undefined {
  if (msg.attachments !== undefined && msg.attachments.length > 0) return "attachments";
  if (msg.appId !== undefined) return "appId";
  if (msg.conversationId !== undefined) return "conversationId";
  return undefined;
}

export function messageRoutes(app: Hono, deps: CoreAppDeps): void {
  const clock = deps.clock ?? systemClock;
  app.post("/v1/messages", async (c) => {
    const parsed = parseOutboundMessage(await readJson(c.req.raw));
    if (!parsed.success) throw badRequest(describeIssues(parsed.issues), parsed.issues);
    const msg = parsed.output;
    // What SMPP cannot carry is refused, never dropped: an MT that answers 202 must be the message asked for.
    const field = notCarried(msg);
    if (field !== undefined) {
      throw new ProblemError({ type: "not-carried", detail: `the SMPP path cannot carry \`${field}\`; nothing was sent`, extensions: { field } });
    }
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
    // A reuse of the id for another message is answered, not recorded: the record stays the first message's.
    if (outcome.status === "rejected" && outcome.kind === "conflict") return toResponse(sendAnswer(outcome));
    // Committed before the answer, so a GET right after it finds the message; a failure to record costs the
    // timeline its send, never the send its answer.
    await deps.sendLog
      .record({ clientMessageId: messageId, principal: principalOf(c), path: "smpp", send: sendOf(outcome, new Date(clock.now())) })
      .catch((err) => deps.log?.error("send record store failed", { err, messageId }));
    return toResponse(sendAnswer(outcome));
  });
}

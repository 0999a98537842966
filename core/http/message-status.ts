/**
 * A message's state and timeline, and the send records that feed it:
 *   GET /v1/messages/:id  → 200 MessageStatus (contract), or 404 problem+json when the id is unknown or was sent
 *                          by another principal (the same answer: a caller cannot probe for others' ids).
 *   PUT /v1/messages/:id  ← a SendRecord: what the edge tells the core after each send it made (HTTP path);
 *                          204 once committed. Idempotent: telling twice records once.
 * The principal is the `Gsh-Principal` header (the edge names its caller; the core trusts it from holders of its
 * token), else `core`: the principal of the core's own callers, whose sends (SMPP path) it records itself.
 */
import type { Context, Hono } from "hono";
import {
  PRINCIPAL_HEADER, SendRecord, describeIssues, finalStateOf, fromZod, isClientMessageId, segmentState,
  type MessageStatus,
} from "../../contract/index.ts";
import type { MessageRecord } from "../store/store.ts";
import { readJson } from "./messages.ts";
import { ProblemError, badRequest } from "./problem.ts";
import type { CoreAppDeps } from "./types.ts";

/** Whose the request is: the edge's caller, or the core's own. */
export const CORE_PRINCIPAL = "core";
export const principalOf = (c: Context): string => c.req.header(PRINCIPAL_HEADER) || CORE_PRINCIPAL;

const unknownMessage = (id: string) =>
  new ProblemError({ type: "not-found", detail: `no message '${id.slice(0, 64)}' sent by this caller` });

/** The record as the API shows it; a long MT's state is its segments' aggregate (contract/segment-state.ts). */
export function statusOf(r: MessageRecord): MessageStatus {
  const long = r.segments && segmentState(r.segments, r.receipts);
  const state = long ? long.state : r.state;
  const stateAt = long ? long.stateAt : r.stateAt !== undefined ? new Date(r.stateAt).toISOString() : undefined;
  const finalState = finalStateOf(state);
  return {
    messageId: r.clientMessageId,
    ...(r.path && { path: r.path }),
    ...(state && { state }),
    ...(finalState && { finalState }),
    ...(stateAt !== undefined && { stateAt }),
    ...(r.send && { send: r.send }),
    ...(long && { segments: long.segments }),
    receipts: r.receipts,
  };
}

export function messageStatusRoutes(app: Hono, deps: CoreAppDeps): void {
  app.get("/v1/messages/:id", async (c) => {
    const id = c.req.param("id");
    const r = isClientMessageId(id) ? await deps.store.findMessage(id) : undefined;
    if (!r || r.principal !== principalOf(c)) throw unknownMessage(id);
    return c.json(statusOf(r), 200, { "cache-control": "no-store" });
  });

  app.put("/v1/messages/:id", async (c) => {
    const id = c.req.param("id");
    if (!isClientMessageId(id)) throw badRequest("id: not a client message id", [{ path: "id", message: "invalid" }]);
    const parsed = fromZod(SendRecord.safeParse(await readJson(c.req.raw)));
    if (!parsed.success) throw badRequest(describeIssues(parsed.issues), parsed.issues);
    const rec = parsed.output;
    try {
      await deps.sendLog.record({ clientMessageId: id, principal: rec.principal, path: rec.path, send: rec.send });
    } catch (err) {
      deps.log?.error("send record store failed", { err, messageId: id });
      throw new ProblemError({ type: "store-unavailable", detail: "the send was not recorded; retry", headers: { "Retry-After": "1" } });
    }
    return c.body(null, 204);
  });
}

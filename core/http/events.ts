/**
 * The event API. POST /v1/events takes one contract Event from the edge into the inbox (same dedup as SMPP):
 * 201 {id, duplicate:false} when stored, 200 {id, duplicate:true} when already stored, 400 when invalid (also
 * when its id is not the one its dedup key gives), 503 when the store fails (the edge retries).
 * GET /v1/events?after=<cursor>&limit=<1-1000> pulls committed events in cursor order.
 */
import type { Hono } from "hono";
import { Event, describeIssues, eventIdWith, fromZod } from "../../contract/index.ts";
import { sha256hex } from "../inbound/mo-dedup.ts";
import { readJson } from "./messages.ts";
import { ProblemError, badRequest } from "./problem.ts";
import type { CoreAppDeps } from "./types.ts";

/** Parses `?after=` (or a Last-Event-ID): a non-negative integer cursor, 0 when absent. */
export function parseCursor(v: string | undefined, name: string): number {
  if (v === undefined || v === "") return 0;
  if (!/^\d{1,15}$/.test(v)) throw badRequest(`${name}: must be a non-negative integer cursor`, [{ path: name, message: "must be a non-negative integer" }]);
  return Number(v);
}

export function eventRoutes(app: Hono, deps: CoreAppDeps): void {
  app.post("/v1/events", async (c) => {
    const parsed = fromZod(Event.safeParse(await readJson(c.req.raw)));
    if (!parsed.success) throw badRequest(describeIssues(parsed.issues), parsed.issues);
    const event = parsed.output;
    if (event.id !== eventIdWith(sha256hex, event.dedupKey)) { // eventIdFor's id, without WebCrypto's async round trip
      throw badRequest("id: is not the id of this dedupKey (eventIdFor)", [{ path: "id", message: "does not match dedupKey" }]);
    }
    let r;
    try {
      r = await deps.inbox.accept(event);
    } catch (err) {
      deps.log?.error("inbox store failed", { err, eventId: event.id });
      throw new ProblemError({ type: "store-unavailable", detail: "the event was not stored; retry", headers: { "Retry-After": "1" } });
    }
    return c.json({ id: event.id, duplicate: !r.stored }, r.stored ? 201 : 200);
  });

  app.get("/v1/events", async (c) => {
    const after = parseCursor(c.req.query("after"), "after");
    const limitRaw = c.req.query("limit");
    const limit = limitRaw === undefined ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest("limit: must be an integer from 1 to 1000", [{ path: "limit", message: "must be 1-1000" }]);
    const events = await deps.store.eventsAfter(after, limit);
    return c.json({ events, next: events.at(-1)?.cursor ?? after });
  });
}

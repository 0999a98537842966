/**
 * POST /v1/deliveries/replay?limit=<1-10000>: dead-lettered webhook deliveries get the whole retry schedule
 * again (longest dead first, default 1000 at a time); answers `{ replayed }`. Without a webhook there is no
 * outbox and nothing to replay (0).
 */
import type { Hono } from "hono";
import { badRequest } from "./problem.ts";
import type { CoreAppDeps } from "./types.ts";

export function deliveryRoutes(app: Hono, deps: CoreAppDeps): void {
  app.post("/v1/deliveries/replay", async (c) => {
    const raw = c.req.query("limit");
    const limit = raw === undefined ? 1000 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw badRequest("limit: must be an integer from 1 to 10000", [{ path: "limit", message: "must be 1-10000" }]);
    const replayed = deps.deliveries ? await deps.deliveries.replayDead(limit, true) : 0;
    return c.json({ replayed });
  });
}

/**
 * Operations routes: GET /v1/binds (per node state; behind the bearer token like all of /v1/*), /metrics (Prometheus text), /healthz (the process
 * answers), /openapi.json and /docs (the API's description and reference page), /problems/<type> (what a problem type means), /readyz (ready: at least one bind bound and the store answers; 503 problem+json naming what is not).
 */
import type { Hono } from "hono";
import { problemTypeAnswer, toResponse } from "../../contract/index.ts";
import { Scalar } from "@scalar/hono-api-reference";
import { coreOpenApi } from "./openapi.ts";
import { problemResponse } from "./problem.ts";
import type { CoreAppDeps } from "./types.ts";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function opsRoutes(app: Hono, deps: CoreAppDeps): void {
  app.get("/v1/binds", (c) =>
    c.json({
      binds: deps.binds.list().map((b) => ({ ...b, since: iso(b.since), ...(b.nextAttemptAt !== undefined && { nextAttemptAt: iso(b.nextAttemptAt) }) })),
    }),
  );

  app.get("/metrics", async () => {
    const r = deps.metrics.registry;
    return new Response(await r.metrics(), { headers: { "Content-Type": r.contentType } });
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.get("/openapi.json", (c) => c.json(coreOpenApi()));
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "genesys-sms-ha core API" }));

  app.get("/problems/:type", (c) => toResponse(problemTypeAnswer(c.req.param("type"))));

  app.get("/readyz", async (c) => {
    const bound = deps.binds.list().filter((b) => b.state === "bound").length;
    const store = await deps.store.ping();
    if (bound > 0 && store) return c.json({ status: "ready", boundBinds: bound, store: "ok" });
    const why = [...(bound === 0 ? ["no bind is bound"] : []), ...(store ? [] : ["the store does not answer"])];
    return problemResponse({ type: "not-ready", detail: why.join("; "), extensions: { boundBinds: bound, store: store ? "ok" : "down" } });
  });
}

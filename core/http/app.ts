/**
 * The core's HTTP API as a Hono app with injected dependencies (serve it with Bun.serve: see serve.ts).
 * /v1/* need the bearer token; ops routes are open (bind them to loopback or a private network).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { bearerAuth } from "./auth.ts";
import { deliveryRoutes } from "./deliveries.ts";
import { eventRoutes } from "./events.ts";
import { messageRoutes } from "./messages.ts";
import { messageStatusRoutes } from "./message-status.ts";
import { opsRoutes } from "./ops.ts";
import { notFound, onError, problemResponse } from "./problem.ts";
import { streamRoutes } from "./stream.ts";
import type { CoreAppDeps } from "./types.ts";

export type { BindInfo, BindsView, CoreAppDeps, MtSender } from "./types.ts";
/** The core's API for typed clients: `hc<AppType>(url)` from hono/client (the routes as documented in openapi.ts). */
export type { CoreApi as AppType } from "./openapi.ts";

export function createCoreApp(deps: CoreAppDeps): Hono {
  const app = new Hono();
  const maxSize = deps.bodyLimitBytes ?? 2_000_000;
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize,
      onError: () => problemResponse({ type: "payload-too-large", detail: `the body is over ${maxSize} bytes` }),
    }),
  );
  app.use("/v1/*", bearerAuth(deps.token, deps.edgeToken));
  messageRoutes(app, deps);
  messageStatusRoutes(app, deps);
  streamRoutes(app, deps);
  eventRoutes(app, deps);
  deliveryRoutes(app, deps);
  opsRoutes(app, deps);
  app.onError(onError(deps.log));
  app.notFound(notFound);
  return app;
}

/**
 * The edge as one Hono app, runtime-neutral: everything it touches (config, clock, fetch, health layers,
 * logger) is injected by the entry (worker.ts, deno.ts) or a test. Errors become problem+json here and
 * only here (`onError`, `notFound`).
 */
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { Clock } from "../contract/clock.ts";
import { describeIssues, type Issue } from "../contract/result.ts";
import { callerAuth } from "./http/auth.ts";
import { tokenVerifier } from "./http/token-auth.ts";
import type { Breaker } from "./health/breaker.ts";
import { CALLBACK_ROUTE, callbackHandler, loggablePath } from "./http/callback.ts";
import { callbackSource, type ClientIp } from "./http/callback-source.ts";
import type { EdgeConfig } from "./config.ts";
import { timerPerDeadline, type Deadlines } from "./send/deadlines.ts";
import { HealthBoard, type Defer } from "./health/board.ts";
import type { HealthLayer } from "./health/record.ts";
import { messagesHandler } from "./http/messages.ts";
import { messageStatusHandler } from "./http/message-status.ts";
import { eventStreamHandler, streamAuth } from "./http/event-stream.ts";
import { SendReports } from "./send/send-report.ts";
import { admission } from "./http/admission.ts";
import type { Counter } from "./limits/counter.ts";
import { MemoryCounter } from "./limits/memory-counter.ts";
import { toResponse } from "../contract/http-answer.ts";
import { ProblemError, problemStatus, problemTypeAnswer } from "../contract/problem.ts";
import { problemOf, problemResponse } from "./http/problem.ts";
import { STATUS_PAGE } from "./http/status-page.ts";
import { edgeOpenApi, type EdgeApi } from "./http/openapi.ts";
import { Scalar } from "@scalar/hono-api-reference";

/** The edge's API for typed clients: `hc<AppType>(url)` from hono/client (the routes as documented in openapi.ts). */
export type AppType = EdgeApi;

/** A structured log line; never holds message bodies or secrets. */
export type LogEvent = { level: "info" | "warn" | "error"; msg: string } & Record<string, unknown>;

export interface AppDeps {
  readonly config: EdgeConfig;
  readonly clock: Clock;
  readonly fetch: typeof fetch;
  readonly health?: {
    /** Per-isolate breakers by target name (pass one to keep state across app instances). */
    readonly breakers?: Map<string, Breaker>;
    /** Per-location layer (Cache API). */
    readonly shared?: HealthLayer;
    /** Global layer (KV), written by the prober. */
    readonly global?: HealthLayer;
  };
  readonly log?: (e: LogEvent) => void;
  /** The caller's address (CF-Connecting-IP on Workers, the remote address on Deno), for CALLBACK_ALLOWED_IPS. */
  readonly clientIp?: ClientIp;
  /**
   * Where rate limits are counted (limits/): per limit, a counter shared across isolates or processes
   * (the Workers binding, Deno KV); `shared` also counts tokens' max_sends. Default: in this process.
   */
  readonly counters?: { readonly principal?: Counter; readonly destination?: Counter; readonly shared?: Counter };
  /**
   * How attempt timeouts are timed. Default: a clock timer per attempt (required on Workers). The Deno
   * entry passes `sharedDeadlines`: one timer for all attempts in flight (see deadlines.ts).
   */
  readonly deadlines?: Deadlines;
  /** Where sends are reported to the core. Default: reports kept in memory when the core does not take them; the
   * entries pass one with a durable queue (send/report-queue.ts) when a binding / Deno KV is configured. */
  readonly reports?: SendReports;
}

/** `ctx.waitUntil` where the runtime has one (Workers), else let the promise run on its own (Deno, tests). */
function deferFor(c: Context): Defer {
  let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined;
  }
  return ctx ? (p) => ctx.waitUntil(p.catch(() => undefined)) : (p) => void p.catch(() => undefined);
}

/**
 * Hono's CORS middleware, run only for requests that carry an `Origin` (browsers send it on every CORS
 * request and preflight). Other callers are servers, to which CORS headers say nothing; for them only
 * `Vary: Origin` is set, on the headers Hono prepares for the handler's response. Running the middleware
 * for them made Hono build a placeholder Response and re-wrap the handler's one (twice, as a stream):
 * the largest cost of the edge's hot path (see test/bench/edge-proxy.ts).
 */
function corsFor(origins: readonly string[]): MiddlewareHandler {
  const browsers = cors({
    origin: (origin) => (origins.includes(origin) ? origin : null),
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"],
    exposeHeaders: ["Retry-After", "Idempotency-Key", "RateLimit", "RateLimit-Policy"],
    maxAge: 600,
  });
  return (c, next) => {
    const raw = c.req.raw;
    if (raw.headers.has("origin")) return browsers(c, next);
    // POST /v1/messages builds its Response itself, Vary included (see messages.ts): preparing headers
    // here would cost a Headers object per request that its Response never uses.
    if (!(raw.method === "POST" && raw.url.endsWith("/v1/messages"))) c.header("vary", "Origin");
    return next();
  };
}

/**
 * 413 for bodies over `max` bytes. A declared Content-Length is checked without touching the body (the
 * runtime's HTTP server holds a request to its declared length); only a body without one (chunked) is
 * counted while read, by Hono's middleware. Reading `request.body` up front, as that middleware does for
 * every request, turns the body into a JS stream and makes the later `text()` slow.
 */
function bodyLimitFor(max: number): MiddlewareHandler {
  const tooLarge = () => { throw new ProblemError({ type: "payload-too-large", detail: `the body is over ${max} bytes` }); };
  const streamed = bodyLimit({ maxSize: max, onError: tooLarge });
  return (c, next) => {
    const h = c.req.raw.headers;
    const declared = h.get("content-length");
    if (declared === null || h.has("transfer-encoding")) return streamed(c, next);
    if (parseInt(declared, 10) > max) tooLarge();
    return next();
  };
}

function withErrors(app: Hono, log: (e: LogEvent) => void): Hono {
  app.onError((err, c) => {
    const p = problemOf(err);
    const status = problemStatus(p);
    if (status >= 500) log({ level: "error", msg: "request failed", status, path: loggablePath(c.req.path), error: err instanceof Error ? err.message : String(err) });
    // The CORS middleware varies /v1/ answers by Origin; an error answer replaces the prepared headers.
    return problemResponse(p, c.req.path.startsWith("/v1/") ? { vary: "Origin" } : undefined);
  });
  app.notFound((c) => problemResponse({ type: "not-found", detail: `no route for ${c.req.method} ${c.req.path}` }));
  return app;
}

export function createApp(deps: AppDeps): Hono {
  const { config, clock } = deps;
  const log = deps.log ?? (() => undefined);
  const board = new HealthBoard(config.targets, {
    clock,
    breaker: { cooldownMs: config.breaker.cooldownMs, threshold: config.breaker.threshold, trialTimeoutMs: config.deadlineMs },
    ...(deps.health?.breakers && { breakers: deps.health.breakers }),
    ...(deps.health?.shared && { shared: deps.health.shared }),
    ...(deps.health?.global && { global: deps.health.global }),
    sharedRefreshMs: config.sharedRefreshMs,
    globalRefreshMs: config.globalRefreshMs,
  });
  const limit = bodyLimitFor(config.bodyLimitBytes);
  const counted = deps.counters?.shared ?? new MemoryCounter(clock);
  const rate = config.rateLimits;
  const limits = {
    ...(rate.principal && { principal: { policy: rate.principal, counter: deps.counters?.principal ?? counted } }),
    ...(rate.destination && { destination: { policy: rate.destination, counter: deps.counters?.destination ?? counted } }),
    tokens: counted,
  };
  const app = withErrors(new Hono(), log);

  app.use("/v1/*", corsFor(config.corsOrigins));

  const reports = deps.reports ?? SendReports.of(config, { clock, fetch: deps.fetch, log });
  const tokens = config.tokens && tokenVerifier(config.tokens, clock, deps.fetch);
  const auth = callerAuth({ keyHashes: config.apiKeyHashes, serverOnlyKeyHashes: config.serverKeyHashes, ...(tokens && { tokens }) });
  app.post("/v1/messages", auth, limit,
    messagesHandler({ config, clock, fetch: deps.fetch, board, deferFor, deadlines: deps.deadlines ?? timerPerDeadline(clock), admit: admission(config.destinations, limits, clock, log), reports }));
  app.get("/v1/messages/:id", auth, messageStatusHandler({ config, clock, fetch: deps.fetch }));
  app.get("/v1/events/stream", streamAuth(auth, tokens), eventStreamHandler({ config, fetch: deps.fetch }));

  app.post(CALLBACK_ROUTE, callbackSource(config.callbackAllowedIps, deps.clientIp), limit, callbackHandler({ config, clock, fetch: deps.fetch }));

  app.get("/v1/health", async (c) => {
    const first = board.refresh(deferFor(c));
    if (first) await first;
    const iso = (t: number | undefined) => (t === undefined || t <= 0 ? undefined : new Date(t).toISOString());
    const sites = board.view().map((s) => ({ ...s, since: iso(s.since), until: iso(s.until) }));
    const up = sites.filter((s) => s.state !== "down").length;
    const status = up === sites.length ? "ok" : up === 0 ? "down" : "degraded";
    return c.json({ status, sites, at: new Date(clock.now()).toISOString() }, 200, { "cache-control": "no-store" });
  });

  app.get("/openapi.json", (c) => c.json(edgeOpenApi()));
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "genesys-sms-ha edge API" }));
  app.get("/problems/:type", (c) => toResponse(problemTypeAnswer(c.req.param("type"))));
  app.get("/", (c) => c.html(STATUS_PAGE));
  return app;
}

/**
 * The app when the configuration is unusable: every request gets 503 naming what to fix (setting names
 * only, never values), and one error line says the same in the log.
 */
export function createFailClosedApp(issues: readonly Issue[], log: (e: LogEvent) => void): Hono {
  log({ level: "error", msg: "edge misconfigured: refusing to serve", problems: describeIssues(issues) });
  const detail = `the edge is not configured: ${describeIssues(issues)}`;
  const settings = [...new Set(issues.map((i) => i.path))];
  const app = new Hono();
  app.all("*", () => problemResponse({ type: "misconfigured", detail, extensions: { settings } }));
  return app;
}

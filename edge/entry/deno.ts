/**
 * Deno entry: `deno run --allow-net --allow-env [--unstable-kv] edge/entry/deno.ts`. Reads the environment once,
 * serves the app with Deno.serve (EDGE_HOSTNAME/EDGE_PORT, default 127.0.0.1:8788) and prints one JSON
 * line with the port it got. Shared health layer: `caches.open()`; global: Deno KV when DENO_KV_PATH is set,
 * with the prober on an interval; Deno KV's queue also holds the send reports the core did not take at once
 * (durable when DENO_KV_PATH is a file). A production config holding dev credentials exits; any other
 * configuration problem serves 503 naming the settings (fail closed). Running out of files (a connection
 * flood) does not end the process: the server starts again (serve-forever.ts).
 */
import type { Hono } from "hono";
import { systemClock } from "../../contract/clock.ts";
import { createApp, createFailClosedApp } from "../app.ts";
import { CacheHealthLayer } from "../health/cache-layer.ts";
import { sharedDeadlines } from "../send/deadlines.ts";
import { isDevCredentialIssue, parseConfig, targetsScope } from "../config.ts";
import type { Env } from "../env.ts";
import { DenoKvHealthLayer, type DenoKvLike } from "../health/kv-layer.ts";
import { probeRound } from "../health/prober.ts";
import { DenoKvCounter, type DenoKvAtomicLike } from "../limits/deno-kv-counter.ts";
import { serveForever } from "./serve-forever.ts";
import { SendReports } from "../send/send-report.ts";
import { DenoKvReportQueue, type DenoKvQueueLike } from "../send/deno-report-queue.ts";

const log = (e: object) => console.log(JSON.stringify(e));
const env = Deno.env.toObject() as Env & Record<string, string>;

let app: Hono;
const parsed = parseConfig(env);
if (!parsed.success) {
  app = createFailClosedApp(parsed.issues, log);
  if (parsed.issues.some(isDevCredentialIssue)) Deno.exit(1);
} else {
  const config = parsed.output;
  const shared = new CacheHealthLayer(await caches.open("edge-health"), systemClock, targetsScope(config.targets));
  // Deno.openKv is behind --unstable-kv: looked up at run time so type checking needs no flag.
  const openKv = (Deno as unknown as { openKv?: (path?: string) => Promise<DenoKvLike & DenoKvAtomicLike & DenoKvQueueLike> }).openKv;
  const kv = env.DENO_KV_PATH && openKv ? await openKv(env.DENO_KV_PATH) : undefined;
  const global = kv ? new DenoKvHealthLayer(kv, systemClock) : undefined;
  const queue = kv ? new DenoKvReportQueue(kv, config.reportRetryS) : undefined;
  if (!queue || env.DENO_KV_PATH === ":memory:") {
    log({ level: "warn", msg: "send reports are not durable: set DENO_KV_PATH to a file (with --unstable-kv); a report the core does not take is kept in this process's memory only" });
  }
  const reports = SendReports.of(config, { clock: systemClock, fetch: (i, init) => fetch(i, init), log, ...(queue && { queue }) });
  // Started before serving: reports queued by an earlier process are delivered without any request.
  queue?.listen(reports, log).catch((err) => log({ level: "error", msg: "send report queue stopped", error: String(err) }));
  app = createApp({
    config, clock: systemClock, fetch: (i, init) => fetch(i, init), health: { shared, ...(global && { global }) }, log, reports,
    // The connection's address, from the ServeHandlerInfo passed as the app's env below.
    clientIp: (c) => (c.env as Deno.ServeHandlerInfo<Deno.NetAddr> | undefined)?.remoteAddr.hostname,
    // Deno KV counts rate limits (and tokens' max_sends) across every process sharing it; without it, per process.
    ...(kv && { counters: { shared: new DenoKvCounter(kv, systemClock) } }),
    deadlines: sharedDeadlines(systemClock),
  });
  if (global) {
    const every = Number(env.PROBE_INTERVAL_MS ?? 60_000) || 60_000;
    setInterval(() => {
      probeRound(config, [shared, global], fetch, log).catch(() => undefined);
    }, every);
  }
}

// Deno has no waitUntil: background work just runs. Passing a context keeps Hono's `executionCtx` from
// throwing (and building a stack trace) on every request, which cost a quarter of the edge's CPU.
const denoCtx = { waitUntil: (p: Promise<unknown>) => void p.catch(() => undefined), passThroughOnException: () => undefined, props: {} };

const port = Number(env.EDGE_PORT ?? 8788);
serveForever({ hostname: env.EDGE_HOSTNAME ?? "127.0.0.1", port: Number.isInteger(port) ? port : 8788, log },
  (req, info) => app.fetch(req, info, denoCtx));

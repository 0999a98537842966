/**
 * Cloudflare Workers entry: `fetch` serves the app, `scheduled` (cron) runs the prober into KV, `queue` consumes
 * the send reports the core did not take at once (the SEND_REPORTS queue, produced by this same Worker). The
 * configuration is read from `env` once per isolate (env is only available per event) and memoised;
 * a broken configuration fails closed with 503 naming the settings, and one log line.
 */
import type { Hono } from "hono";
import { systemClock } from "../../contract/clock.ts";
import { createApp, createFailClosedApp } from "../app.ts";
import { CacheHealthLayer, type CacheLike } from "../health/cache-layer.ts";
import { parseConfig, targetsScope, type EdgeConfig } from "../config.ts";
import type { Env } from "../env.ts";
import type { HealthLayer } from "../health/record.ts";
import { WorkersKvHealthLayer } from "../health/kv-layer.ts";
import { probeRound } from "../health/prober.ts";
import { WorkersRateLimitCounter } from "../limits/workers-counter.ts";
import { SendReports } from "../send/send-report.ts";
import { consumeReports, WorkersReportQueue } from "../send/workers-report-queue.ts";

let built: { env: Env; app: Hono; config?: EdgeConfig; layers: HealthLayer[]; reports?: SendReports } | undefined;

const log = (e: object) => console.log(JSON.stringify(e));

function build(env: Env) {
  if (built?.env === env) return built;
  const parsed = parseConfig(env);
  if (!parsed.success) {
    built = { env, app: createFailClosedApp(parsed.issues, log), layers: [] };
    return built;
  }
  const config = parsed.output;
  // caches.default is per data centre: exactly the "shared per location" layer. (The WebWorker lib's
  // CacheStorage type shadows workers-types' `default`, hence the cast.)
  const shared = new CacheHealthLayer((caches as unknown as { default: CacheLike }).default, systemClock, targetsScope(config.targets));
  const global = env.HEALTH_KV ? new WorkersKvHealthLayer(env.HEALTH_KV, systemClock) : undefined;
  const fetcher: typeof fetch = (input, init) => fetch(input, init);
  const queue = env.SEND_REPORTS ? new WorkersReportQueue(env.SEND_REPORTS) : undefined;
  if (!queue) log({ level: "warn", msg: "send reports are not durable: no SEND_REPORTS queue binding; a report the core does not take is kept in this isolate's memory only" });
  const reports = SendReports.of(config, { clock: systemClock, fetch: fetcher, log, ...(queue && { queue }) });
  const app = createApp({
    config, clock: systemClock, fetch: fetcher, reports,
    clientIp: (c) => c.req.header("cf-connecting-ip"), // set by Cloudflare's edge, not by the caller
    health: { shared, ...(global && { global }) },
    // The Rate Limiting bindings count across isolates; without one a limit is counted per isolate.
    counters: {
      ...(env.RATE_LIMITER_PRINCIPAL && { principal: new WorkersRateLimitCounter(env.RATE_LIMITER_PRINCIPAL) }),
      ...(env.RATE_LIMITER_DESTINATION && { destination: new WorkersRateLimitCounter(env.RATE_LIMITER_DESTINATION) }),
    },
    log,
  });
  built = { env, app, config, layers: global ? [shared, global] : [shared], reports };
  return built;
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    return build(env).app.fetch(request, env, ctx);
  },

  scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): void {
    const b = build(env);
    if (!b.config) return;
    ctx.waitUntil(probeRound(b.config, b.layers, (input, init) => fetch(input, init), log));
  },

  async queue(batch: MessageBatch, env: Env): Promise<void> {
    const b = build(env);
    // Misconfigured: leave the reports in the queue (retried, then the dead-letter queue) for a fixed deployment.
    if (!b.config || !b.reports) return batch.retryAll();
    await consumeReports(batch, b.reports, b.config.reportRetryS, log);
  },
} satisfies ExportedHandler<Env>;

/**
 * Cloudflare Workers entry: `fetch` serves the app, `scheduled` (cron) runs the prober into KV. The
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

let built: { env: Env; app: Hono; config?: EdgeConfig; layers: HealthLayer[] } | undefined;

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
  const app = createApp({
    config, clock: systemClock, fetch: (input, init) => fetch(input, init),
    clientIp: (c) => c.req.header("cf-connecting-ip"), // set by Cloudflare's edge, not by the caller
    health: { shared, ...(global && { global }) },
    // The Rate Limiting bindings count across isolates; without one a limit is counted per isolate.
    counters: {
      ...(env.RATE_LIMITER_PRINCIPAL && { principal: new WorkersRateLimitCounter(env.RATE_LIMITER_PRINCIPAL) }),
      ...(env.RATE_LIMITER_DESTINATION && { destination: new WorkersRateLimitCounter(env.RATE_LIMITER_DESTINATION) }),
    },
    log,
  });
  built = { env, app, config, layers: global ? [shared, global] : [shared] };
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
} satisfies ExportedHandler<Env>;

/** Serves the core app on Bun.serve. No idle timeout: event streams stay open (they send heartbeats). */
import type { Hono } from "hono";

export function serveCore(app: Hono, opts: { hostname?: string; port?: number } = {}) {
  return Bun.serve({ hostname: opts.hostname ?? "127.0.0.1", port: opts.port ?? 8080, idleTimeout: 0, fetch: app.fetch });
}

/**
 * Serves the core app on Bun.serve. A connection with no traffic for `idleTimeoutS` is closed (an idle
 * keep-alive flood cannot hold the process's files for longer); Bun's HTTP parser closes a connection whose
 * request head is not complete within ~10 s (slowloris), whatever this setting. Event streams, which are
 * idle between events by design, lift the timeout for their own request (stream.ts) and are capped instead.
 */
import type { Hono } from "hono";

/** What a route may ask of the server it runs on (the `env` Hono passes on Bun): lift its idle timeout. */
export interface ServerTimeouts {
  timeout(request: Request, seconds: number): void;
}

export function serveCore(app: Hono, opts: { hostname?: string; port?: number; idleTimeoutS?: number } = {}) {
  return Bun.serve({
    hostname: opts.hostname ?? "127.0.0.1",
    port: opts.port ?? 8080,
    idleTimeout: opts.idleTimeoutS ?? 10,
    fetch: (req, server) => app.fetch(req, server satisfies ServerTimeouts),
  });
}

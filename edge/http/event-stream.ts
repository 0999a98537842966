/**
 * GET /v1/events/stream: a caller follows the events of its own messages (their receipts) as server-sent
 * events, from the core's feed for this caller. `EventSource` cannot send headers, so a browser passes its
 * short-lived token (the one it sends with, verified by token-auth.ts) as `?access_token=`; servers may send
 * `Authorization: Bearer` as everywhere else. An API key is never taken from a URL (URLs end up in logs and
 * histories). `Last-Event-ID` and `?after=` resume, as on the core; the body is the core's stream, passed on
 * as it comes, and closed when the caller goes.
 */
import type { Context, MiddlewareHandler } from "hono";
import { ProblemError } from "../../contract/problem.ts";
import { PRINCIPAL_HEADER } from "../../contract/message-status.ts";
import type { EdgeConfig } from "../config.ts";
import { principalName, principalOf, setPrincipal } from "./principal.ts";
import { looksLikeJwt, type TokenVerifier } from "./token-auth.ts";

/** Auth for the stream: `?access_token=<token>` (tokens only), else the usual `auth` middleware. */
export function streamAuth(auth: MiddlewareHandler, tokens: TokenVerifier | undefined): MiddlewareHandler {
  return async (c, next) => {
    const t = c.req.query("access_token");
    if (t === undefined) return auth(c, next);
    if (!looksLikeJwt(t)) throw new ProblemError({ type: "unauthorized", detail: "access_token takes a short-lived token; an API key goes in the Authorization header, never in a URL" });
    if (!tokens) throw new ProblemError({ type: "unauthorized", detail: "this edge accepts no tokens (none configured)" });
    setPrincipal(c, await tokens(t));
    return next();
  };
}

export function eventStreamHandler(d: { config: EdgeConfig; fetch: typeof fetch }) {
  return async (c: Context): Promise<Response> => {
    const p = principalOf(c)!;
    const after = c.req.query("after");
    const url = `${d.config.core.url}/v1/events/stream${after !== undefined ? `?after=${encodeURIComponent(after)}` : ""}`;
    const last = c.req.header("last-event-id");
    let res: Response;
    try {
      res = await d.fetch(url, {
        headers: {
          authorization: `Bearer ${d.config.core.token}`, [PRINCIPAL_HEADER]: principalName(p), accept: "text/event-stream",
          ...(last !== undefined && { "last-event-id": last }),
        },
        signal: c.req.raw.signal,
      });
    } catch {
      throw new ProblemError({ type: "core-unavailable", detail: "the core's event stream could not be reached; reconnect", headers: { "retry-after": "2" } });
    }
    if (res.status !== 200) {
      // The core's own problem (a bad cursor: 400) is the caller's; anything else means: try again later.
      if (res.status === 400) return new Response(res.body, { status: 400, headers: { "content-type": res.headers.get("content-type") ?? "application/problem+json" } });
      await res.body?.cancel();
      throw new ProblemError({ type: "core-unavailable", detail: `the core's event stream answered ${res.status}; reconnect`, headers: { "retry-after": "2" } });
    }
    return new Response(res.body, { status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" } });
  };
}

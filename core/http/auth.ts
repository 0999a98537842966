/**
 * Bearer-token middleware with two scopes: Hono's (hono/bearer-auth) parses the header; tokens are compared in
 * constant time (SHA-256 of both, then timingSafeEqual). Every refusal of a token is a 401 problem+json with a
 * Bearer challenge. The application's token opens every /v1 route. The edge's token (config http.edgeToken)
 * opens only what the edge does: posting events (POST /v1/events) and its send records (PUT /v1/messages/:id);
 * anything else with it is 403, so a leaked edge token can neither send MTs nor read events.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { bearerAuth as honoBearerAuth } from "hono/bearer-auth";
import { ProblemError } from "./problem.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** What the edge's token may do: method and path. */
const EDGE_ROUTES: readonly (readonly [string, RegExp])[] = [
  ["POST", /^\/v1\/events\/?$/],
  ["PUT", /^\/v1\/messages\/[^/]+\/?$/],
];

export function bearerAuth(token: string, edgeToken?: string): MiddlewareHandler {
  // The tokens' digests, once: a presented token is compared with both, in constant time.
  const app = digest(token);
  const edge = edgeToken === undefined ? undefined : digest(edgeToken);
  const refuse = (detail: string) => (): never => {
    throw new ProblemError({ type: "unauthorized", detail, headers: { "WWW-Authenticate": 'Bearer realm="core"' } });
  };
  const missing = refuse("missing 'Authorization: Bearer <token>'");
  return honoBearerAuth({
    noAuthenticationHeader: { message: missing },
    invalidAuthenticationHeader: { message: missing },
    invalidToken: { message: refuse("bad bearer token") },
    verifyToken: async (presented, c) => {
      const d = digest(presented);
      const isApp = timingSafeEqual(d, app);
      const isEdge = edge !== undefined && timingSafeEqual(d, edge);
      if (isEdge && !isApp && !EDGE_ROUTES.some(([method, path]) => c.req.method === method && path.test(c.req.path))) {
        throw new ProblemError({ type: "forbidden", detail: "the edge's token may only post events and send records" });
      }
      return isApp || isEdge;
    },
  });
}

/**
 * Bearer-token middleware: Hono's (hono/bearer-auth) parses the header; the token is compared in constant time
 * (SHA-256 of both, then timingSafeEqual). Every refusal is a 401 problem+json with a Bearer challenge.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { bearerAuth as honoBearerAuth } from "hono/bearer-auth";
import { ProblemError } from "./problem.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function bearerAuth(token: string): MiddlewareHandler {
  const expected = digest(token); // the token's digest, once: a presented token is compared with it in constant time
  const refuse = (detail: string) => (): never => {
    throw new ProblemError({ type: "unauthorized", detail, headers: { "WWW-Authenticate": 'Bearer realm="core"' } });
  };
  const missing = refuse("missing 'Authorization: Bearer <token>'");
  return honoBearerAuth({
    noAuthenticationHeader: { message: missing },
    invalidAuthenticationHeader: { message: missing },
    invalidToken: { message: refuse("bad bearer token") },
    verifyToken: async (presented) => timingSafeEqual(digest(presented), expected),
  });
}

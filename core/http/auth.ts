/** Bearer-token middleware; the token is compared in constant time (SHA-256 of both, then timingSafeEqual). */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { ProblemError } from "./problem.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** True when `given` equals `expected`, in time independent of where they differ (or their lengths). */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerAuth(token: string): MiddlewareHandler {
  return async (c, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "");
    if (!m || !tokenMatches(m[1]!, token)) {
      throw new ProblemError({
        status: 401,
        type: "unauthorized",
        title: "Unauthorized",
        detail: m ? "bad bearer token" : "missing 'Authorization: Bearer <token>'",
        headers: { "WWW-Authenticate": 'Bearer realm="core"' },
      });
    }
    await next();
  };
}

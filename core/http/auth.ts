/** Bearer-token middleware; the token is compared in constant time (SHA-256 of both, then timingSafeEqual). */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { ProblemError } from "./problem.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function bearerAuth(token: string): MiddlewareHandler {
  const expected = digest(token); // the token's digest, once: a presented token is compared with it in constant time
  return async (c, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "");
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
      throw new ProblemError({
        type: "unauthorized",
        detail: m ? "bad bearer token" : "missing 'Authorization: Bearer <token>'",
        headers: { "WWW-Authenticate": 'Bearer realm="core"' },
      });
    }
    await next();
  };
}

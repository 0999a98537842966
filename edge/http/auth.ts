/**
 * Caller authentication for the API: `Authorization: Bearer <api key>`. Keys are configured as SHA-256
 * digests, so the configuration never holds a caller's key; a presented key is hashed and compared in
 * constant time. Keys that passed are remembered for the isolate's life (a small bounded set), because
 * WebCrypto's async digest costs tens of microseconds a request on Deno, more than the rest of the edge;
 * a failed key is never remembered, so guessing always pays the full constant-time check.
 */
import type { MiddlewareHandler } from "hono";
import { HttpProblem } from "./problem.ts";
import { sha256 } from "../../contract/digest.ts";
import { fromHex, matchesAny } from "./secrets.ts";

const REMEMBERED_MAX = 256;

export function apiKeyAuth(hashesHex: readonly string[]): MiddlewareHandler {
  const allowed = hashesHex.map(fromHex);
  const verified = new Set<string>();
  const challenge = { "www-authenticate": 'Bearer realm="genesys-sms-ha"' };
  return (c, next) => {
    const h = c.req.raw.headers.get("authorization");
    const m = h ? /^Bearer\s+(\S{1,512})\s*$/i.exec(h) : null;
    if (!m) throw new HttpProblem(401, "Unauthorized", "send your API key as 'Authorization: Bearer <key>'", {}, challenge);
    const key = m[1]!;
    // Not an async function: a remembered key goes straight on, without an extra promise per request.
    if (verified.has(key)) return next();
    return sha256(key).then((digest) => {
      if (!matchesAny(digest, allowed)) throw new HttpProblem(401, "Unauthorized", "the API key is not valid", {}, challenge);
      if (verified.size >= REMEMBERED_MAX) verified.clear();
      verified.add(key);
      return next();
    });
  };
}

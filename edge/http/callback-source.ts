/**
 * Which source addresses may post Genesys callbacks (CALLBACK_ALLOWED_IPS), with Hono's IP restriction
 * middleware. Genesys describes no callback signature (docs: "no authentication is described"), so the secret
 * path segment and, where the operator knows Genesys' ranges, the source address are all there is. The entry
 * says how to find the source: CF-Connecting-IP on Workers, the connection's remote address on Deno.
 */
import type { Context, MiddlewareHandler } from "hono";
import { ipRestriction } from "hono/ip-restriction";
import { ProblemError } from "../../contract/problem.ts";

/** The caller's address as the runtime sees it, or undefined when it cannot tell. */
export type ClientIp = (c: Context) => string | undefined;

const refused = (): never => {
  throw new ProblemError({ type: "forbidden", detail: "this source address may not post Genesys callbacks" });
};

/** Passes everything when `allow` is empty; otherwise 403 for a source outside it, or one it cannot tell. */
export function callbackSource(allow: readonly string[], clientIp: ClientIp | undefined): MiddlewareHandler {
  if (allow.length === 0) return (_c, next) => next();
  const guard = ipRestriction((c) => clientIp?.(c) ?? "", { allowList: [...allow] }, refused);
  return async (c, next) => {
    if (!clientIp?.(c)) refused();
    return guard(c, next);
  };
}

/**
 * Caller authentication for the API: `Authorization: Bearer <credential>`, either an API key (servers) or
 * a short-lived token (browsers and apps, verified in token-auth.ts). Keys are configured as SHA-256
 * digests, so the configuration never holds a caller's key; a presented key is hashed and compared in
 * constant time. Keys that passed are remembered for the isolate's life (a small bounded map), because
 * WebCrypto's async digest costs tens of microseconds a request on Deno, more than the rest of the edge;
 * a failed key is never remembered, so guessing always pays the full constant-time check. A key listed as
 * server-only is refused (403) when the request carries an `Origin`, i.e. comes from a browser page.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { ProblemError } from "../../contract/problem.ts";
import { sha256 } from "../../contract/digest.ts";
import { fromHex, timingSafeEqual } from "./secrets.ts";
import { setPrincipal, type KeyPrincipal } from "./principal.ts";
import { looksLikeJwt, type TokenVerifier } from "./token-auth.ts";

const REMEMBERED_MAX = 256;

export interface CallerAuthOptions {
  /** SHA-256 hex digests of the accepted API keys. */
  readonly keyHashes: readonly string[];
  /** The subset of keys for servers only: refused when the request has an `Origin`. */
  readonly serverOnlyKeyHashes?: readonly string[];
  /** Token verification, when the edge accepts tokens. */
  readonly tokens?: TokenVerifier;
}

interface KnownKey { readonly digest: Uint8Array; readonly principal: KeyPrincipal; readonly serverOnly: boolean }

export function callerAuth(o: CallerAuthOptions): MiddlewareHandler {
  const serverOnly = new Set((o.serverOnlyKeyHashes ?? []).map((h) => h.toLowerCase()));
  const known: KnownKey[] = [...new Set([...o.keyHashes, ...serverOnly].map((h) => h.toLowerCase()))]
    .map((h) => ({ digest: fromHex(h), principal: { kind: "key", id: h.slice(0, 16) }, serverOnly: serverOnly.has(h) }));
  const verified = new Map<string, KnownKey>();
  const challenge = { "www-authenticate": 'Bearer realm="genesys-sms-ha"' };
  const refuse = (detail: string): never => {
    throw new ProblemError({ type: "unauthorized", detail, headers: challenge });
  };
  const noCredential = () => refuse("send an API key or a token as 'Authorization: Bearer <credential>'");
  const admit = (k: KnownKey, c: Context): true => {
    if (k.serverOnly && c.req.raw.headers.has("origin")) {
      throw new ProblemError({ type: "forbidden", detail: "this API key is for servers only: a browser must use a short-lived token" });
    }
    setPrincipal(c, k.principal);
    return true;
  };
  // Hono's bearer middleware parses the header (RFC 6750 b64token syntax); what a credential proves is decided here.
  return bearerAuth({
    noAuthenticationHeader: { message: noCredential },
    invalidAuthenticationHeader: { message: noCredential },
    invalidToken: { message: () => refuse("the API key is not valid") },
    verifyToken: async (credential, c) => {
      if (credential.length > 4096) return noCredential();
      const remembered = verified.get(credential);
      if (remembered) return admit(remembered, c);
      if (looksLikeJwt(credential)) {
        if (!o.tokens) return refuse("this edge accepts no tokens (none configured): use an API key");
        setPrincipal(c, await o.tokens(credential));
        return true;
      }
      if (credential.length > 512) return false;
      const digest = await sha256(credential);
      let hit: KnownKey | undefined;
      for (const k of known) if (timingSafeEqual(digest, k.digest) && !hit) hit = k; // every key compared, whatever matches first
      if (!hit) return false;
      if (verified.size >= REMEMBERED_MAX) verified.clear();
      verified.set(credential, hit);
      return admit(hit, c);
    },
  });
}

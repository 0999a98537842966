/**
 * Short-lived edge tokens: what a customer's backend gives its browser or app so it can send through the
 * edge without holding an API key. A JWT (signed with `jose`, WebCrypto underneath, every runtime):
 * HS256 with the edge's EDGE_TOKEN_SECRET, or EdDSA / ES256 with a private key whose public half the edge
 * knows from its JWKS. `exp` and `sub` are required; the scope claims are optional and the edge enforces them.
 */
import { SignJWT, type CryptoKey, type JWK, type KeyObject } from "jose";

/** The claims the edge reads, besides the registered ones (`exp`, `iat`, `sub`, `aud`, `iss`, `jti`). */
export interface EdgeTokenScope {
  /** Allowed `sender` values (as in the message: short code, long number or alphanumeric). */
  readonly senders?: readonly string[];
  /** Allowed destinations: exact E.164 numbers (`+447911123456`), or prefixes ending in `*` (`+4479*`). */
  readonly to?: readonly string[];
  /** How many sends the token may make in its life. */
  readonly max_sends?: number;
}

/** The longest token lifetime the edge accepts unless configured otherwise (EDGE_TOKEN_MAX_LIFETIME_S). */
export const DEFAULT_TOKEN_MAX_LIFETIME_S = 3600;

export interface MintOptions {
  /** The end user the token is for (the edge limits and logs by it, hashed). */
  readonly sub: string;
  /** Lifetime in seconds (default 300; the edge refuses more than its maximum, default 3600). */
  readonly ttlSeconds?: number;
  readonly scope?: EdgeTokenScope;
  readonly audience?: string;
  readonly issuer?: string;
  /** A unique token id (the edge counts `max_sends` by it; without one, by the token's signature). */
  readonly jti?: string;
  /** Seconds since the epoch; default now. */
  readonly now?: number;
}

/** How to sign: the shared secret (HS256), or a private key (EdDSA / ES256) with the `kid` the JWKS lists. */
export type MintKey =
  | { readonly alg: "HS256"; readonly secret: string }
  | { readonly alg: "EdDSA" | "ES256"; readonly privateKey: CryptoKey | KeyObject | JWK | Uint8Array; readonly kid?: string };

const enc = new TextEncoder();

/** Mints an edge token: what the customer's backend calls for a signed-in user. */
export async function mintEdgeToken(key: MintKey, o: MintOptions): Promise<string> {
  const iat = o.now ?? Math.floor(Date.now() / 1000);
  const scope = o.scope ?? {};
  const claims: Record<string, unknown> = {};
  if (scope.senders) claims.senders = [...scope.senders];
  if (scope.to) claims.to = [...scope.to];
  if (scope.max_sends !== undefined) claims.max_sends = scope.max_sends;
  const jwt = new SignJWT(claims)
    .setProtectedHeader(key.alg === "HS256" ? { alg: "HS256", typ: "JWT" } : { alg: key.alg, typ: "JWT", ...(key.kid && { kid: key.kid }) })
    .setSubject(o.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (o.ttlSeconds ?? 300));
  if (o.audience) jwt.setAudience(o.audience);
  if (o.issuer) jwt.setIssuer(o.issuer);
  if (o.jti) jwt.setJti(o.jti);
  return key.alg === "HS256" ? jwt.sign(enc.encode(key.secret)) : jwt.sign(key.privateKey);
}

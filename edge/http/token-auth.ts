/**
 * Verifying short-lived edge tokens (contract/edge-token.ts) with `jose`: HS256 against EDGE_TOKEN_SECRET,
 * EdDSA / ES256 against a JWKS given inline or fetched from a URL (cached by jose: `cacheMaxAge`, with a
 * cool-down between refetches for unknown `kid`s). `exp` and `sub` are required, the lifetime is capped,
 * `aud`/`iss` are checked when configured, and the scope claims are validated and normalised here, so
 * a token that passes carries a scope the admission checks can apply as is.
 */
import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { Clock } from "../../contract/clock.ts";
import { toHex } from "../../contract/hex.ts";
import { sha256 } from "../../contract/digest.ts";
import { toGenesysDigits } from "../../contract/phone.ts";
import type { TokenSettings } from "../config.ts";
import type { TokenPrincipal, TokenScope } from "./principal.ts";
import { ProblemError } from "../../contract/problem.ts";

/** Does a bearer credential look like a JWT (three base64url parts, a JSON header)? API keys never start `eyJ`. */
export const looksLikeJwt = (s: string): boolean => s.startsWith("eyJ") && s.split(".").length === 3;

/** A verified token's principal; at once (no promise) for a token verified moments ago. */
export type TokenVerifier = (token: string) => TokenPrincipal | Promise<TokenPrincipal>;

/**
 * Tokens that passed are remembered for a minute at most (never past their `exp`), 256 at most: a browser sends
 * its token again and again, and a full verification costs 50-100 µs of the isolate's CPU (EdDSA more than HS256;
 * see test/bench/edge-proxy.ts with BENCH_AUTH). The same string is the same signature and the same claims, so
 * nothing changes but this: a key dropped from the JWKS stops a remembered token only when its minute ends.
 * A refused token is never remembered.
 */
const REMEMBERED_MAX = 256;
const REMEMBERED_S = 60;

const CHALLENGE = { "www-authenticate": 'Bearer realm="genesys-sms-ha", error="invalid_token"' };
const unauthorized = (detail: string) => new ProblemError({ type: "unauthorized", detail, headers: CHALLENGE });

const MAX_SCOPE_ENTRIES = 100;
const SCOPE_TO = /^\+?[1-9]\d{0,14}\*?$/;

function scopeOf(p: JWTPayload): TokenScope {
  const bad = (claim: string, rule: string) => unauthorized(`the token's '${claim}' claim ${rule}`);
  const strings = (claim: string, v: unknown) => {
    if (!Array.isArray(v) || v.length === 0 || v.length > MAX_SCOPE_ENTRIES || !v.every((x) => typeof x === "string" && x.length > 0 && x.length <= 32)) {
      throw bad(claim, `must be a list of 1 to ${MAX_SCOPE_ENTRIES} strings`);
    }
    return v as string[];
  };
  const scope: { senders?: Set<string>; to?: { exact: Set<string>; prefixes: string[] }; maxSends?: number } = {};
  if (p.senders !== undefined) scope.senders = new Set(strings("senders", p.senders).map((s) => toGenesysDigits(s.trim())));
  if (p.to !== undefined) {
    const to = { exact: new Set<string>(), prefixes: [] as string[] };
    for (const t of strings("to", p.to)) {
      if (!SCOPE_TO.test(t)) throw bad("to", "must hold E.164 numbers or prefixes ending in '*' (+4479*)");
      const digits = toGenesysDigits(t);
      if (digits.endsWith("*")) to.prefixes.push(digits.slice(0, -1));
      else to.exact.add(digits);
    }
    scope.to = to;
  }
  if (p.max_sends !== undefined) {
    if (!Number.isInteger(p.max_sends) || (p.max_sends as number) < 1) throw bad("max_sends", "must be a positive integer");
    scope.maxSends = p.max_sends as number;
  }
  return scope;
}

/** jose's refusals as what the caller is told. Key-set fetch failures are ours, not the caller's: 503. */
function refusal(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err instanceof errors.JWTExpired) return unauthorized("the token has expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "aud") return unauthorized("the token is not for this audience (aud)");
    if (err.claim === "iss") return unauthorized("the token is not from an accepted issuer (iss)");
    if (err.claim === "nbf") return unauthorized("the token is not valid yet (nbf)");
    return unauthorized(`the token's '${err.claim}' claim is missing or invalid`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return unauthorized("the token's signature does not verify");
  if (err instanceof errors.JOSEAlgNotAllowed) return unauthorized("the token's algorithm is not accepted");
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return unauthorized("no configured key matches the token (kid/alg)");
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err instanceof TypeError) {
    return new ProblemError({ type: "token-keys-unavailable", detail: "the edge could not fetch the keys to verify tokens; retry shortly", headers: { "retry-after": "5" } });
  }
  if (err instanceof errors.JOSEError) return unauthorized("the token is malformed");
  return unauthorized("the token is malformed");
}

export function tokenVerifier(settings: TokenSettings, clock: Clock, fetchFn: typeof fetch): TokenVerifier {
  const algorithms: string[] = [];
  let hmac: Promise<CryptoKey> | undefined;
  if (settings.secret !== undefined) {
    algorithms.push("HS256");
    hmac = crypto.subtle.importKey("raw", new TextEncoder().encode(settings.secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  }
  let jwks: JWTVerifyGetKey | undefined;
  if (settings.jwks) jwks = createLocalJWKSet(settings.jwks);
  else if (settings.jwksUrl) {
    jwks = createRemoteJWKSet(new URL(settings.jwksUrl), {
      cacheMaxAge: settings.jwksCacheS * 1000, cooldownDuration: 30_000, timeoutDuration: 5000,
      [customFetch]: (url, init) => fetchFn(url, init),
    });
  }
  if (jwks) algorithms.push("EdDSA", "Ed25519", "ES256");
  const getKey: JWTVerifyGetKey = (header, token) => (header.alg === "HS256" && hmac ? hmac : jwks!(header, token));
  const maxS = settings.maxLifetimeS;

  const remembered = new Map<string, { principal: TokenPrincipal; until: number }>();
  const verify = async (token: string): Promise<TokenPrincipal> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        algorithms, requiredClaims: ["exp", "sub"], currentDate: new Date(clock.now()), clockTolerance: 5,
        ...(settings.audience !== undefined && { audience: settings.audience }),
        ...(settings.issuer !== undefined && { issuer: settings.issuer }),
      }));
    } catch (err) {
      throw refusal(err);
    }
    const now = clock.now() / 1000;
    const exp = payload.exp!;
    // A lifetime is exp − iat; a token without iat is held to what is left of it.
    if (exp - (payload.iat ?? now) > maxS || exp - now > maxS + 5) throw unauthorized(`the token lives longer than the edge accepts (${maxS} s)`);
    if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 256) throw unauthorized("the token's 'sub' claim must be a non-empty string");
    const scope = scopeOf(payload);
    const id = toHex(await sha256(`sub:${payload.sub}`)).slice(0, 16);
    let tokenId = "";
    if (scope.maxSends !== undefined) {
      tokenId = typeof payload.jti === "string" && payload.jti.length <= 128 ? `jti:${id}:${payload.jti}` : `sig:${toHex(await sha256(token.slice(token.lastIndexOf(".") + 1))).slice(0, 32)}`;
    }
    const principal: TokenPrincipal = { kind: "token", id, tokenId, exp, scope };
    if (remembered.size >= REMEMBERED_MAX) remembered.clear();
    remembered.set(token, { principal, until: Math.min(exp, now + REMEMBERED_S) });
    return principal;
  };
  return (token) => {
    const hit = remembered.get(token);
    if (hit && clock.now() / 1000 < hit.until) return hit.principal;
    if (hit) remembered.delete(token);
    return verify(token);
  };
}

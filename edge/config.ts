/**
 * The edge's configuration: the environment (see env.ts) validated once into a frozen object. Every problem
 * is named at once; a missing secret or, in production (the default), a committed dev credential or a weak
 * CALLBACK_SECRET / CORE_TOKEN (contract/secret-strength.ts) is a problem, so the
 * entry can fail closed with a message that says exactly which setting to fix.
 */
import type { JSONWebKeySet } from "jose";
import { z } from "zod";
import { DEFAULT_TOKEN_MAX_LIFETIME_S } from "../contract/edge-token.ts";
import { devCredentialsIn } from "../contract/dev-credentials.ts";
import { secretWeakness } from "../contract/secret-strength.ts";
import { deepFreeze } from "../contract/freeze.ts";
import { SiteName } from "../contract/topology.ts";
import { fail, fromZod, ok, type Issue, type Result } from "../contract/result.ts";
import { REQUIRED_SETTINGS, type Env } from "./env.ts";
import type { RatePolicy } from "./limits/rate-limits.ts";
import { AMBIGUOUS_RETRY_KINDS, type AmbiguousRetry } from "./send/ambiguous-retry.ts";
import type { DestinationRules } from "./limits/destinations.ts";
import { KNOWN_CALLING_CODES, KNOWN_REGIONS, NUMBER_TYPES, type NumberType } from "../contract/destination.ts";

/** SHA-256 of the dev API key `dev-key` (configured keys are hashes, so the dev key is caught by its hash). */
export const DEV_API_KEY_HASH = "7e9f8fd111802be56c379d597842e29b2cebd35ff2133d431a49fa556a18704e";

/** Where a send may go: a Genesys site, or the DNS-failover URL as one more target. */
export interface Target {
  readonly name: string;
  readonly url: string;
}

/** Short-lived tokens for browsers and apps (edge/http/token-auth.ts); absent when none is configured. */
export interface TokenSettings {
  /** HS256 shared secret. */
  readonly secret?: string;
  /** EdDSA / ES256 public keys, inline. */
  readonly jwks?: JSONWebKeySet;
  /** EdDSA / ES256 public keys, fetched and cached. */
  readonly jwksUrl?: string;
  readonly jwksCacheS: number;
  readonly maxLifetimeS: number;
  readonly audience?: string;
  readonly issuer?: string;
}

export interface EdgeConfig {
  readonly production: boolean;
  /** In order: primary first; the single URL (name `dns`) last when configured. */
  readonly targets: readonly Target[];
  readonly genesys: { readonly login: string; readonly password: string };
  readonly apiKeyHashes: readonly string[];
  /** Keys for servers only (also accepted as keys): refused on a request with an `Origin`. */
  readonly serverKeyHashes: readonly string[];
  readonly tokens?: TokenSettings;
  /** Sends per principal (API key or token `sub`) and per destination number; absent: not limited. */
  readonly rateLimits: { readonly principal?: RatePolicy; readonly destination?: RatePolicy };
  readonly destinations: DestinationRules;
  readonly callbackSecret: string;
  readonly core: { readonly url: string; readonly token: string; readonly timeoutMs: number };
  /** Waits before each retry of a queued send report, seconds (SEND_REPORT_RETRY_S; 1 to 5 of them). */
  readonly reportRetryS: readonly number[];
  readonly corsOrigins: readonly string[];
  /** IPs / CIDR ranges allowed to post callbacks; empty: any. */
  readonly callbackAllowedIps: readonly string[];
  readonly bodyLimitBytes: number;
  readonly attemptTimeoutMs: number;
  readonly deadlineMs: number;
  /** After an ambiguous failure (AMBIGUOUS_RETRY, AMBIGUOUS_PAUSE_MS). */
  readonly ambiguousRetry: AmbiguousRetry;
  readonly breaker: { readonly cooldownMs: number; readonly threshold: number };
  readonly throttleRetryAfterS: number;
  readonly sharedRefreshMs: number;
  readonly globalRefreshMs: number;
}

const httpUrl = z.url({ protocol: /^https?$/ });
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const list = (s: string | undefined) => (s ?? "").split(",").map((x) => x.trim()).filter(Boolean);

/** 30 s, 2 min, 10 min, 30 min, 1 h: a core away for up to ~1 h 40 min still gets every queued report. */
const DEFAULT_REPORT_RETRY_S = "30,120,600,1800,3600";

const Settings = z.object({
  EDGE_ENV: z.enum(["production", "development"]).default("production"),
  GENESYS_SITES: z.string().optional(),
  GENESYS_SINGLE_URL: httpUrl.optional(),
  CORE_URL: httpUrl,
  CORS_ORIGINS: z.string().optional(),
  CALLBACK_ALLOWED_IPS: z.string().optional(),
  BODY_LIMIT_BYTES: int(1 << 20, 1024, 32 << 20),
  ATTEMPT_TIMEOUT_MS: int(5000, 10, 120_000),
  DEADLINE_MS: int(12_000, 10, 300_000),
  AMBIGUOUS_RETRY: z.enum(AMBIGUOUS_RETRY_KINDS).default("same-site-first"),
  AMBIGUOUS_PAUSE_MS: int(1000, 0, 300_000),
  BREAKER_COOLDOWN_MS: int(30_000, 10, 3_600_000),
  BREAKER_THRESHOLD: int(3, 1, 100),
  THROTTLE_RETRY_AFTER_S: int(5, 1, 3600),
  SHARED_REFRESH_MS: int(1000, 10, 600_000),
  GLOBAL_REFRESH_MS: int(15_000, 10, 3_600_000),
  CORE_TIMEOUT_MS: int(5000, 10, 120_000),
  GENESYS_LOGIN: z.string().min(1),
  GENESYS_PASSWORD: z.string().min(1),
  EDGE_API_KEY_HASHES: z.string().min(1),
  CALLBACK_SECRET: z.string().min(8, "must be at least 8 characters"),
  CORE_TOKEN: z.string().min(1),
  EDGE_SERVER_KEY_HASHES: z.string().optional(),
  EDGE_TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  EDGE_TOKEN_JWKS: z.string().optional(),
  EDGE_TOKEN_JWKS_URL: httpUrl.optional(),
  EDGE_TOKEN_JWKS_CACHE_S: int(600, 1, 86_400),
  EDGE_TOKEN_MAX_LIFETIME_S: int(DEFAULT_TOKEN_MAX_LIFETIME_S, 10, 86_400),
  EDGE_TOKEN_AUDIENCE: z.string().optional(),
  EDGE_TOKEN_ISSUER: z.string().optional(),
  RATE_LIMIT_PRINCIPAL: z.string().optional(),
  RATE_LIMIT_DESTINATION: z.string().optional(),
  DESTINATION_COUNTRIES: z.string().optional(),
  DESTINATION_REFUSED_TYPES: z.string().default("PREMIUM_RATE,SHARED_COST"),
  SEND_REPORT_RETRY_S: z.string().default(DEFAULT_REPORT_RETRY_S),
});

/** 1 to 5 waits of 0 to 3600 s: Deno KV's queue takes at most 5 retries of at most an hour each. */
function parseRetryS(raw: string, issues: Issue[]): number[] {
  const waits = list(raw).map(Number);
  if (waits.length >= 1 && waits.length <= 5 && waits.every((w) => Number.isInteger(w) && w >= 0 && w <= 3600)) return waits;
  issues.push({ path: "SEND_REPORT_RETRY_S", message: "must be 1 to 5 comma-separated waits in seconds, each 0 to 3600" });
  return [];
}

/** `+1,+44` (calling codes) and/or `US,GB` (ISO regions); `*`: every country. */
function parseCountries(raw: string | undefined, issues: Issue[]): DestinationRules["countries"] {
  if (raw === undefined || raw === "*") return undefined;
  const regions = new Set<string>();
  const callingCodes = new Set<string>();
  for (const entry of list(raw)) {
    const code = /^\+(\d{1,3})$/.exec(entry)?.[1];
    if (code !== undefined && KNOWN_CALLING_CODES.has(code)) callingCodes.add(code);
    else if (KNOWN_REGIONS.has(entry.toUpperCase())) regions.add(entry.toUpperCase());
    else issues.push({ path: "DESTINATION_COUNTRIES", message: `'${entry.slice(0, 8)}' is neither a calling code (+44) nor an ISO region (GB)` });
  }
  return { regions, callingCodes };
}

function parseTypes(raw: string, issues: Issue[]): Set<NumberType> {
  const types = new Set<NumberType>();
  for (const t of list(raw)) {
    if ((NUMBER_TYPES as readonly string[]).includes(t.toUpperCase())) types.add(t.toUpperCase() as NumberType);
    else if (t.toUpperCase() !== "NONE") issues.push({ path: "DESTINATION_REFUSED_TYPES", message: `'${t.slice(0, 24)}' is not one of ${NUMBER_TYPES.join(", ")} (or NONE)` });
  }
  return types;
}

/** `10/60`: 10 sends per 60 seconds. */
function parseRate(path: string, raw: string | undefined, issues: Issue[]): RatePolicy | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d{1,7})\s*\/\s*(\d{1,5})$/.exec(raw);
  const limit = m ? Number(m[1]) : 0;
  const windowS = m ? Number(m[2]) : 0;
  if (limit >= 1 && windowS >= 1 && windowS <= 86_400) return { limit, windowS };
  issues.push({ path, message: "must be SENDS/SECONDS, like 10/60 (at least 1 send, a window of 1 to 86400 s)" });
  return undefined;
}

const Jwks = z.object({ keys: z.array(z.object({ kty: z.enum(["OKP", "EC"]) }).loose()).min(1) });

function parseJwks(raw: string | undefined, issues: Issue[]): JSONWebKeySet | undefined {
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const r = Jwks.safeParse(json);
  if (r.success) return r.data as JSONWebKeySet;
  issues.push({ path: "EDGE_TOKEN_JWKS", message: "must be a JWKS: {\"keys\":[…]} of OKP (Ed25519) or EC (P-256) public keys" });
  return undefined;
}

function parseSites(raw: string | undefined, issues: Issue[]): Target[] {
  const out: Target[] = [];
  for (const entry of list(raw)) {
    const eq = entry.indexOf("=");
    const name = entry.slice(0, eq).trim();
    const url = entry.slice(eq + 1).trim();
    if (eq < 1 || !SiteName.safeParse(name).success || !httpUrl.safeParse(url).success) {
      issues.push({ path: "GENESYS_SITES", message: `'${entry.slice(0, 80)}' is not name=http(s)-url (name like dc3)` });
    } else if (out.some((t) => t.name === name)) {
      issues.push({ path: "GENESYS_SITES", message: `site '${name}' is listed twice` });
    } else out.push({ name, url });
  }
  return out;
}

const DEV_CREDENTIAL_REFUSED = "holds a committed development credential: refused in production";
/** A problem no fail-closed 503 should cover: a committed dev credential in production (the Deno entry exits). */
export const isDevCredentialIssue = (i: Issue): boolean => i.message === DEV_CREDENTIAL_REFUSED;

/** Validates the environment into the edge's configuration, naming every missing or bad setting. */
export function parseConfig(env: Env): Result<EdgeConfig> {
  const plain: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === "string" && v.trim() !== "") plain[k] = v.trim();

  const missing: Issue[] = REQUIRED_SETTINGS.filter((k) => plain[k] === undefined && !(k === "GENESYS_SITES" && plain.GENESYS_SINGLE_URL))
    .map((k) => ({ path: k, message: "is required but not set" }));
  const issues: Issue[] = [...missing];
  let targets = parseSites(plain.GENESYS_SITES, issues);
  const primaryName = plain.GENESYS_PRIMARY;
  if (primaryName !== undefined) {
    const primary = targets.find((t) => t.name === primaryName);
    if (!primary) issues.push({ path: "GENESYS_PRIMARY", message: `'${primaryName.slice(0, 20)}' is not one of GENESYS_SITES` });
    else targets = [primary, ...targets.filter((t) => t !== primary)];
  }
  // Checked on the raw values, so a dev credential is named even when other settings are missing too.
  if (plain.EDGE_ENV !== "development") {
    const dev = devCredentialsIn({
      GENESYS_LOGIN: plain.GENESYS_LOGIN, GENESYS_PASSWORD: plain.GENESYS_PASSWORD, CALLBACK_SECRET: plain.CALLBACK_SECRET, CORE_TOKEN: plain.CORE_TOKEN,
      EDGE_TOKEN_SECRET: plain.EDGE_TOKEN_SECRET,
    });
    for (const k of ["EDGE_API_KEY_HASHES", "EDGE_SERVER_KEY_HASHES"] as const) {
      if (list(plain[k]).some((h) => h.toLowerCase() === DEV_API_KEY_HASH)) dev.push(k);
    }
    for (const k of dev) issues.push({ path: k, message: DEV_CREDENTIAL_REFUSED });
    // The secrets we choose ourselves must be strong; Genesys' credentials are Genesys' to choose.
    for (const k of ["CALLBACK_SECRET", "CORE_TOKEN", "EDGE_TOKEN_SECRET"] as const) {
      const why = plain[k] === undefined || dev.includes(k) ? undefined : secretWeakness(plain[k]);
      if (why) issues.push({ path: k, message: `${why}; refused in production` });
    }
  }
  const parsed = fromZod(Settings.safeParse(plain));
  if (!parsed.success) issues.push(...parsed.issues.filter((i) => !missing.some((m) => m.path === i.path)));
  if (!parsed.success) return fail(...(issues as [Issue, ...Issue[]]));
  const s = parsed.output;
  if (s.GENESYS_SINGLE_URL !== undefined) targets.push({ name: "dns", url: s.GENESYS_SINGLE_URL });

  const apiKeyHashes = list(s.EDGE_API_KEY_HASHES).map((h) => h.toLowerCase());
  const serverKeyHashes = list(s.EDGE_SERVER_KEY_HASHES).map((h) => h.toLowerCase());
  for (const [path, hashes] of [["EDGE_API_KEY_HASHES", apiKeyHashes], ["EDGE_SERVER_KEY_HASHES", serverKeyHashes]] as const) {
    if (hashes.some((h) => !/^[0-9a-f]{64}$/.test(h))) issues.push({ path, message: "must be SHA-256 hex digests (64 hex characters), comma-separated" });
  }
  const jwks = parseJwks(s.EDGE_TOKEN_JWKS, issues);
  if (jwks && s.EDGE_TOKEN_JWKS_URL) issues.push({ path: "EDGE_TOKEN_JWKS_URL", message: "set EDGE_TOKEN_JWKS or EDGE_TOKEN_JWKS_URL, not both" });
  const rateLimits = {
    ...(s.RATE_LIMIT_PRINCIPAL !== undefined && { principal: parseRate("RATE_LIMIT_PRINCIPAL", s.RATE_LIMIT_PRINCIPAL, issues) }),
    ...(s.RATE_LIMIT_DESTINATION !== undefined && { destination: parseRate("RATE_LIMIT_DESTINATION", s.RATE_LIMIT_DESTINATION, issues) }),
  };
  const countries = parseCountries(s.DESTINATION_COUNTRIES, issues);
  const destinations: DestinationRules = { ...(countries && { countries }), refusedTypes: parseTypes(s.DESTINATION_REFUSED_TYPES, issues) };
  const reportRetryS = parseRetryS(s.SEND_REPORT_RETRY_S, issues);
  const tokensOn = s.EDGE_TOKEN_SECRET !== undefined || jwks !== undefined || s.EDGE_TOKEN_JWKS_URL !== undefined;

  const callbackAllowedIps = list(s.CALLBACK_ALLOWED_IPS);
  const ipOrRange = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);
  for (const ip of callbackAllowedIps) {
    if (!ipOrRange.safeParse(ip).success) issues.push({ path: "CALLBACK_ALLOWED_IPS", message: `'${ip.slice(0, 45)}' is not an IP address or CIDR range` });
  }
  const corsOrigins = list(s.CORS_ORIGINS);
  if (corsOrigins.includes("*")) issues.push({ path: "CORS_ORIGINS", message: "'*' is refused: list the origins" });
  if (s.DEADLINE_MS < s.ATTEMPT_TIMEOUT_MS) issues.push({ path: "DEADLINE_MS", message: "must be at least ATTEMPT_TIMEOUT_MS" });

  if (issues.length) return fail(...(issues as [Issue, ...Issue[]]));

  return ok(deepFreeze({
    production: s.EDGE_ENV === "production",
    targets,
    genesys: { login: s.GENESYS_LOGIN, password: s.GENESYS_PASSWORD },
    apiKeyHashes,
    serverKeyHashes,
    ...(tokensOn && { tokens: {
      ...(s.EDGE_TOKEN_SECRET !== undefined && { secret: s.EDGE_TOKEN_SECRET }),
      ...(jwks && { jwks }),
      ...(s.EDGE_TOKEN_JWKS_URL !== undefined && { jwksUrl: s.EDGE_TOKEN_JWKS_URL }),
      jwksCacheS: s.EDGE_TOKEN_JWKS_CACHE_S,
      maxLifetimeS: s.EDGE_TOKEN_MAX_LIFETIME_S,
      ...(s.EDGE_TOKEN_AUDIENCE !== undefined && { audience: s.EDGE_TOKEN_AUDIENCE }),
      ...(s.EDGE_TOKEN_ISSUER !== undefined && { issuer: s.EDGE_TOKEN_ISSUER }),
    } }),
    rateLimits,
    destinations,
    callbackSecret: s.CALLBACK_SECRET,
    core: { url: s.CORE_URL.replace(/\/+$/, ""), token: s.CORE_TOKEN, timeoutMs: s.CORE_TIMEOUT_MS },
    reportRetryS,
    corsOrigins,
    callbackAllowedIps,
    bodyLimitBytes: s.BODY_LIMIT_BYTES,
    attemptTimeoutMs: s.ATTEMPT_TIMEOUT_MS,
    deadlineMs: s.DEADLINE_MS,
    ambiguousRetry: s.AMBIGUOUS_RETRY === "other-site" ? { kind: "other-site" } : { kind: "same-site-first", pauseMs: s.AMBIGUOUS_PAUSE_MS },
    breaker: { cooldownMs: s.BREAKER_COOLDOWN_MS, threshold: s.BREAKER_THRESHOLD },
    throttleRetryAfterS: s.THROTTLE_RETRY_AFTER_S,
    sharedRefreshMs: s.SHARED_REFRESH_MS,
    globalRefreshMs: s.GLOBAL_REFRESH_MS,
  }));
}

/** A short, stable name for a target list (FNV-1a of the URLs), so health records of one setup never meet another's. */
export function targetsScope(targets: readonly Target[]): string {
  let h = 0x811c9dc5;
  for (const ch of targets.map((t) => `${t.name}=${t.url}`).join(",")) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}


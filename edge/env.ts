/**
 * Every setting the edge reads, in one place. On Workers these are `vars` (wrangler.toml), secrets
 * (`wrangler secret put NAME`) and bindings; on Deno they are environment variables. The entry reads them
 * once, `parseConfig` validates them into one frozen object, and nothing else looks at the environment.
 */

import type { RateLimitBinding } from "./limits/workers-counter.ts";
import type { QueueBindingLike } from "./send/workers-report-queue.ts";

/** A KV namespace as the global health layer needs it (Workers KV's shape). */
export interface KvNamespaceLike {
  get(key: string, type: "json"): Promise<unknown>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

export interface Env {
  /** `production` (default: fail closed, dev credentials refused) or `development`. */
  EDGE_ENV?: string;

  // ── variables ────────────────────────────────────────────────────────────────────────────────────
  /** Genesys sites in order of preference: `dc3=https://…/httpapi/receiver,bos=https://…`. */
  GENESYS_SITES?: string;
  /** Name of the primary site, when it is not the first of GENESYS_SITES. */
  GENESYS_PRIMARY?: string;
  /** Genesys' DNS-failover URL, tried after the per-site URLs (or alone, single-URL mode). */
  GENESYS_SINGLE_URL?: string;
  /** The core's base URL (callbacks are forwarded to `{CORE_URL}/v1/events`). */
  CORE_URL?: string;
  /** Browser origins allowed by CORS, comma-separated (`*` is refused: API keys are credentials). */
  CORS_ORIGINS?: string;
  /**
   * Comma-separated IPs or CIDR ranges (IPv4/IPv6) allowed to post Genesys callbacks; unset: any source.
   * The source is CF-Connecting-IP on Workers and the connection's address on Deno.
   */
  CALLBACK_ALLOWED_IPS?: string;
  /** Largest request body, bytes (default 1 MiB). */
  BODY_LIMIT_BYTES?: string;
  /** One attempt at one site, ms (default 5000). */
  ATTEMPT_TIMEOUT_MS?: string;
  /** All attempts of one send, ms (default 12000). */
  DEADLINE_MS?: string;
  /**
   * After an ambiguous failure (timeout, 5xx, result 98): `same-site-first` (default: the DR page's procedure,
   * the same site again after AMBIGUOUS_PAUSE_MS, then the other site) or `other-site` (the other site at
   * once; safe only if Genesys' sites share message_id dedup at once). See edge/send/ambiguous-retry.ts.
   */
  AMBIGUOUS_RETRY?: string;
  /** The pause before the same-site resubmit, ms (default 1000; the seed says "a short duration"). */
  AMBIGUOUS_PAUSE_MS?: string;
  /** How long a failed site is left alone, ms (default 30000, the seed's "such as 30 seconds"). */
  BREAKER_COOLDOWN_MS?: string;
  /** Consecutive soft failures (5xx, result 98, an undocumented code) that open a site (default 3; refused/timeout open at once). */
  BREAKER_THRESHOLD?: string;
  /** Retry-After for throttled sends, seconds (default 5). */
  THROTTLE_RETRY_AFTER_S?: string;
  /** How often an isolate re-reads the shared (per-location) health layer, ms (default 1000). */
  SHARED_REFRESH_MS?: string;
  /** How often an isolate re-reads the global (KV) health layer, ms (default 15000). */
  GLOBAL_REFRESH_MS?: string;
  /** Forwarding one callback to the core, ms (default 5000). */
  CORE_TIMEOUT_MS?: string;
  /**
   * Waits before the retries of a queued send report, seconds, comma-separated, 1 to 5 of them (default
   * `30,120,600,1800,3600`; the last repeats on Workers up to the queue's max_retries). Used with the
   * SEND_REPORTS queue (Workers) or DENO_KV_PATH (Deno); see docs/edge.md.
   */
  SEND_REPORT_RETRY_S?: string;

  /** Short-lived tokens (EdDSA / ES256): the public keys as a JWKS, inline (`{"keys":[…]}`) … */
  EDGE_TOKEN_JWKS?: string;
  /** … or fetched from a URL and cached (EDGE_TOKEN_JWKS_CACHE_S, default 600). */
  EDGE_TOKEN_JWKS_URL?: string;
  EDGE_TOKEN_JWKS_CACHE_S?: string;
  /** The longest token lifetime (exp − iat) accepted, seconds (default 3600). */
  EDGE_TOKEN_MAX_LIFETIME_S?: string;
  /** When set, a token's `aud` / `iss` must match. */
  EDGE_TOKEN_AUDIENCE?: string;
  EDGE_TOKEN_ISSUER?: string;

  /** Sends per caller (API key, or a token's `sub`): `SENDS/SECONDS`, e.g. `120/60`. Unset: not limited. */
  RATE_LIMIT_PRINCIPAL?: string;
  /** Sends per destination number: `SENDS/SECONDS`, e.g. `10/60`. Unset: not limited. On Workers, bind a
   * `[[ratelimits]]` of the same limit and period as RATE_LIMITER_PRINCIPAL / RATE_LIMITER_DESTINATION to count
   * across isolates (otherwise each isolate counts alone); on Deno, DENO_KV_PATH makes the count shared. */
  RATE_LIMIT_DESTINATION?: string;

  /** Allowed destination countries: calling codes (`+1,+44`) and/or ISO regions (`US,CA,GB`); unset or `*`:
   * every country. Note +1 includes the Caribbean (JM, DO …), classic pumping targets: ISO regions are tighter. */
  DESTINATION_COUNTRIES?: string;
  /** Refused number types (libphonenumber's names), default `PREMIUM_RATE,SHARED_COST`; `NONE` refuses none. */
  DESTINATION_REFUSED_TYPES?: string;

  /** Deno only: listen address and port (default 127.0.0.1:8788; port 0 = any free port). */
  EDGE_HOSTNAME?: string;
  EDGE_PORT?: string;
  /** Deno only: a Deno KV path (or `:memory:`) for the global health layer, shared rate-limit counts and the send
   * reports' queue (durable when a file); needs `--unstable-kv`. */
  DENO_KV_PATH?: string;
  /** Deno only: prober period when DENO_KV_PATH is set, ms (default 60000; Workers use the cron trigger). */
  PROBE_INTERVAL_MS?: string;

  // ── secrets ──────────────────────────────────────────────────────────────────────────────────────
  /** Genesys account login. */
  GENESYS_LOGIN?: string;
  /** Genesys account password. */
  GENESYS_PASSWORD?: string;
  /** Callers' API keys as SHA-256 hex digests, comma-separated (`printf %s KEY | sha256sum`). */
  EDGE_API_KEY_HASHES?: string;
  /** API keys for servers only, SHA-256 hex like EDGE_API_KEY_HASHES: refused (403) when the request has an `Origin`. */
  EDGE_SERVER_KEY_HASHES?: string;
  /** Short-lived tokens (HS256): the secret the customer's backend signs them with (at least 16 characters). */
  EDGE_TOKEN_SECRET?: string;
  /** The secret path segment of the callback URL registered with Genesys. */
  CALLBACK_SECRET?: string;
  /** Bearer token the core expects on `/v1/events`. */
  CORE_TOKEN?: string;

  // ── bindings (Workers) ───────────────────────────────────────────────────────────────────────────
  /** Optional KV namespace: the global health layer, written by the scheduled prober. */
  HEALTH_KV?: KvNamespaceLike;
  /** Optional Workers Rate Limiting bindings for RATE_LIMIT_PRINCIPAL / RATE_LIMIT_DESTINATION. */
  RATE_LIMITER_PRINCIPAL?: RateLimitBinding;
  RATE_LIMITER_DESTINATION?: RateLimitBinding;
  /** Optional Queue producer binding: send reports the core did not take at once, consumed by this Worker. Without
   * it such a report is kept in the isolate's memory only (lost if the isolate ends before the core comes back). */
  SEND_REPORTS?: QueueBindingLike;
}

/** The settings that are secrets: never logged, never shown on /v1/health. */
export const SECRET_SETTINGS = ["GENESYS_LOGIN", "GENESYS_PASSWORD", "EDGE_API_KEY_HASHES", "CALLBACK_SECRET", "CORE_TOKEN", "EDGE_TOKEN_SECRET"] as const;

/** The settings without which the edge refuses to serve. */
export const REQUIRED_SETTINGS = ["GENESYS_SITES", "CORE_URL", "GENESYS_LOGIN", "GENESYS_PASSWORD", "EDGE_API_KEY_HASHES", "CALLBACK_SECRET", "CORE_TOKEN"] as const;

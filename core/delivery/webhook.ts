/**
 * One webhook POST to the customer: the Event as JSON, the event id as `Idempotency-Key`, and an HMAC-SHA256
 * signature over `<timestamp>.<body>` (WebCrypto) so the receiver can check origin and freshness.
 * `fetch` is injected. The answer is data: delivered (2xx) or failed (anything else, or no answer).
 */
import { timingSafeEqual } from "node:crypto";
import { toHex, type Clock, type Event } from "../../contract/index.ts";

export type WebhookResult =
  | { readonly result: "delivered"; readonly status: number }
  | { readonly result: "failed"; readonly status?: number; readonly error: string };

export interface WebhookOptions {
  readonly url: string;
  readonly secret: string;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly clock: Clock;
}

const enc = new TextEncoder();

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

async function signWith(key: CryptoKey, timestamp: string, body: string): Promise<string> {
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`${timestamp}.${body}`)));
  return `sha256=${toHex(sig)}`;
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`; timestamp in seconds since the epoch. */
export async function signWebhook(secret: string, timestamp: string, body: string): Promise<string> {
  return signWith(await hmacKey(secret), timestamp, body);
}

/** What a receiver does: recompute and compare in constant time; reject timestamps older than `toleranceS`. */
export async function verifyWebhook(
  secret: string,
  headers: { signature: string | null; timestamp: string | null },
  body: string,
  nowMs: number,
  toleranceS = 300,
): Promise<boolean> {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceS) return false;
  const want = await signWebhook(secret, timestamp, body);
  const a = enc.encode(want);
  const b = enc.encode(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Posts events to one webhook URL. */
export class WebhookClient {
  readonly #o: WebhookOptions;
  /** The HMAC key, imported once (on the first post). */
  #key: Promise<CryptoKey> | undefined;

  constructor(opts: WebhookOptions) {
    this.#o = opts;
  }

  async post(event: Event): Promise<WebhookResult> {
    const body = JSON.stringify(event);
    const timestamp = String(Math.floor(this.#o.clock.now() / 1000));
    const headers = {
      "Content-Type": "application/json",
      "Idempotency-Key": event.id,
      "X-Signature": await signWith(await (this.#key ??= hmacKey(this.#o.secret)), timestamp, body),
      "X-Signature-Timestamp": timestamp,
      "User-Agent": "genesys-sms-ha-core",
    };
    try {
      const res = await (this.#o.fetch ?? fetch)(this.#o.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 10_000),
      });
      await res.body?.cancel().catch(() => undefined);
      return res.ok ? { result: "delivered", status: res.status } : { result: "failed", status: res.status, error: `HTTP ${res.status}` };
    } catch (e) {
      return { result: "failed", error: e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 200) : "fetch failed" };
    }
  }
}

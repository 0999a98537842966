/**
 * Tells the core about each send the edge made (PUT {core}/v1/messages/:id, a SendRecord), so the message has a
 * record there that its HTTP receipts join and GET /v1/messages/:id can answer. It runs after the answer, in the
 * background the entry gives (`waitUntil` on Workers, a plain promise on Deno): the caller never waits for it.
 * A failed report (network error, timeout, 5xx) is retried with backoff; one still failing is kept (bounded) and
 * sent again in the background of the next request. Reporting twice is harmless: the core's upsert is idempotent.
 * The send itself is never at stake: it went to Genesys before any report, and its receipts reach the core anyway
 * (callbacks), where they make the record on their own.
 */
import type { Clock } from "../../contract/clock.ts";
import { sleep } from "../../contract/clock.ts";
import { PRINCIPAL_HEADER, type SendRecord } from "../../contract/message-status.ts";
import type { Defer } from "../health/board.ts";

export interface SendReportOptions {
  readonly coreUrl: string;
  readonly coreToken: string;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly fetch: typeof fetch;
  readonly log?: (e: { level: "info" | "warn" | "error"; msg: string } & Record<string, unknown>) => void;
  /** Waits between tries of one report (default 250, 1000, 4000 ms: under Workers' 30 s after the answer). */
  readonly backoffMs?: readonly number[];
  /** Reports kept for the next request after their tries failed (default 1000; the oldest go first). */
  readonly maxKept?: number;
}

type Result = "recorded" | "refused" | "failed";

export class SendReports {
  readonly #o: SendReportOptions;
  readonly #backoff: readonly number[];
  /** Reports whose tries all failed, by message id (the latest report of an id wins). */
  readonly #kept = new Map<string, SendRecord>();

  constructor(o: SendReportOptions) {
    this.#o = o;
    this.#backoff = o.backoffMs ?? [250, 1000, 4000];
  }

  /** How many reports wait for a later request. */
  get kept(): number {
    return this.#kept.size;
  }

  /** Reports `rec` for `messageId` in the background; also retries the reports kept from earlier requests. */
  report(messageId: string, rec: SendRecord, defer: Defer): void {
    const kept = [...this.#kept];
    this.#kept.clear();
    defer(this.#deliver(messageId, rec).then(() => Promise.all(kept.map(([id, r]) => this.#deliver(id, r)))));
  }

  async #deliver(messageId: string, rec: SendRecord): Promise<void> {
    for (let i = 0; ; i++) {
      const r = await this.#once(messageId, rec);
      if (r === "recorded") return;
      if (r === "refused") {
        // A 4xx: the core will never take this report; trying again would not help.
        this.#o.log?.({ level: "error", msg: "core refused the send record", messageId });
        return;
      }
      if (i >= this.#backoff.length) break;
      await sleep(this.#o.clock, this.#backoff[i]!);
    }
    this.#o.log?.({ level: "warn", msg: "send record not delivered to the core; kept for the next request", messageId });
    if (this.#kept.size >= (this.#o.maxKept ?? 1000)) this.#kept.delete(this.#kept.keys().next().value!);
    this.#kept.set(messageId, rec);
  }

  async #once(messageId: string, rec: SendRecord): Promise<Result> {
    const ac = new AbortController();
    const timer = this.#o.clock.setTimeout(() => ac.abort(), this.#o.timeoutMs);
    try {
      const res = await this.#o.fetch(`${this.#o.coreUrl}/v1/messages/${encodeURIComponent(messageId)}`, {
        method: "PUT",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.#o.coreToken}`, [PRINCIPAL_HEADER]: rec.principal },
        body: JSON.stringify(rec),
        signal: ac.signal,
      });
      await res.body?.cancel();
      if (res.ok) return "recorded";
      return res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429 ? "refused" : "failed";
    } catch {
      return "failed";
    } finally {
      this.#o.clock.clearTimeout(timer);
    }
  }
}

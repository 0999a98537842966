/**
 * Tells the core about each send the edge made (PUT {core}/v1/messages/:id, a SendRecord), so the message has a
 * record there that its HTTP receipts join and GET /v1/messages/:id can answer. It runs after the answer, in the
 * background the entry gives (`waitUntil` on Workers, a plain promise on Deno): the caller never waits for it.
 * A failed report (network error, timeout, 5xx) goes to the durable queue when the entry gives one (a Cloudflare
 * Queue, Deno KV's queue: report-queue.ts), whose consumer retries it with backoff whatever becomes of this isolate.
 * Without one it is retried here with backoff, and one still failing is kept in memory (bounded) and sent again in
 * the background of the next request: lost if the isolate ends first. Reporting twice is harmless: the core's
 * upsert is idempotent, so the queue's at-least-once delivery is enough.
 * The send itself is never at stake: it went to Genesys before any report, and its receipts reach the core anyway
 * (callbacks), where they make the record on their own.
 */
import type { Clock } from "../../contract/clock.ts";
import { sleep } from "../../contract/clock.ts";
import { PRINCIPAL_HEADER, type SendRecord } from "../../contract/message-status.ts";
import type { Defer } from "../health/board.ts";
import type { EdgeConfig } from "../config.ts";
import type { ReportQueue } from "./report-queue.ts";

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
  /** Where a report the core did not take goes, durably; absent: kept in memory as above. */
  readonly queue?: ReportQueue;
}

/** One try's result: taken, refused for good (a 4xx: trying again cannot help), or to be tried again. */
export type ReportResult = "recorded" | "refused" | "failed";

export class SendReports {
  readonly #o: SendReportOptions;
  readonly #backoff: readonly number[];
  /** Reports whose tries all failed, by message id (the latest report of an id wins). */
  readonly #kept = new Map<string, SendRecord>();

  /** The reports of an edge configured by `config` (the core's URL, token and timeout). */
  static of(config: EdgeConfig, o: Pick<SendReportOptions, "clock" | "fetch" | "log" | "queue">): SendReports {
    return new SendReports({ coreUrl: config.core.url, coreToken: config.core.token, timeoutMs: config.core.timeoutMs, ...o });
  }

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
      const r = await this.tryOnce(messageId, rec);
      if (r === "recorded") return;
      if (r === "refused") return;
      // With a queue, its consumer does the retrying, with backoff, in whatever isolate or process runs it.
      if (this.#o.queue && (await this.#enqueue(messageId, rec))) return;
      if (i >= this.#backoff.length) break;
      await sleep(this.#o.clock, this.#backoff[i]!);
    }
    this.#o.log?.({ level: "warn", msg: "send record not delivered to the core; kept for the next request", messageId });
    if (this.#kept.size >= (this.#o.maxKept ?? 1000)) this.#kept.delete(this.#kept.keys().next().value!);
    this.#kept.set(messageId, rec);
  }

  async #enqueue(messageId: string, rec: SendRecord): Promise<boolean> {
    try {
      await this.#o.queue!.enqueue({ messageId, record: rec });
      this.#o.log?.({ level: "warn", msg: "send record not taken by the core; queued", messageId, queue: this.#o.queue!.kind });
      return true;
    } catch (err) {
      this.#o.log?.({ level: "error", msg: "send record could not be queued; retried from memory", messageId, error: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  /** One PUT of `rec` to the core (also what a queue's consumer calls for each queued report). */
  async tryOnce(messageId: string, rec: SendRecord): Promise<ReportResult> {
    const r = await this.#once(messageId, rec);
    if (r === "refused") this.#o.log?.({ level: "error", msg: "core refused the send record", messageId });
    return r;
  }

  async #once(messageId: string, rec: SendRecord): Promise<ReportResult> {
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

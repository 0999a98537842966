// HTTP callbacks to the customer (receipts for HTTP MTs, MOs in http mode): a form POST to the
// configured URL with Genesys' retry policy: any non-2xx answer or network error is retried after
// callbackRetry.intervalMs, `retries` times after the first attempt (Genesys: 25, so 26 attempts in all),
// always with the same message_id.
import { request } from "node:http";
import type { SimContext } from "./context.ts";
import type { SiteName } from "./types.ts";

/** Gives up on one attempt after this long (a hung receiver counts as a network error). */
const ATTEMPT_TIMEOUT_MS = 5000;

export interface CallbackJob {
  type: "receipt" | "MO";
  site: SiteName;
  message_id: string;
  fields: Record<string, string>;
  duplicate: boolean;
  /** A receipt's state, recorded in the ledger. */
  state?: string;
}

/** Posts callbacks and retries them; ledger entries are made per delivery and per attempt. */
export class CallbackSender {
  readonly #ctx: SimContext;
  readonly #open = new Set<{ destroy(): void }>();

  constructor(ctx: SimContext) {
    this.#ctx = ctx;
  }

  /** Starts delivering `job`; resolves after the FIRST attempt. */
  send(job: CallbackJob): Promise<void> {
    const { ledger, now, ids } = this.#ctx;
    const deliveryId = ids.delivery();
    ledger.record(job.type === "receipt" ? "receiptsEmitted" : "mosEmitted", {
      via: "http", site: job.site, message_id: job.message_id, deliveryId, attempt: 1, duplicate: job.duplicate, at: now(), ...(job.state ? { state: job.state } : {}),
    });
    return this.#attempt(job, deliveryId, 1);
  }

  /** Aborts requests in flight (stop()). */
  stop(): void {
    for (const r of this.#open) r.destroy();
    this.#open.clear();
  }

  async #attempt(job: CallbackJob, deliveryId: string, attempt: number): Promise<void> {
    const { ledger, now, config, timers } = this.#ctx;
    const url = config.callbackUrl;
    const outcome = url ? await this.#post(url, job.fields) : "no_url";
    ledger.record("callbacksAttempted", { type: job.type, site: job.site, message_id: job.message_id, attempt, outcome, at: now() });
    if (typeof outcome === "number" && outcome >= 200 && outcome < 300) {
      ledger.record("callbacksSucceeded", { type: job.type, site: job.site, message_id: job.message_id, attempt, at: now() });
      ledger.record(job.type === "receipt" ? "receiptsAcked" : "mosAcked", {
        via: "http", site: job.site, message_id: job.message_id, deliveryId, late: false, at: now(),
      });
      return;
    }
    if (attempt <= config.callbackRetry.retries) {
      timers.after(config.callbackRetry.intervalMs, () => void this.#attempt(job, deliveryId, attempt + 1));
    } else {
      ledger.record("abandoned", { kind: job.type === "receipt" ? "receipt" : "mo", message_id: job.message_id, deliveryId, attempts: attempt, at: now() });
    }
  }

  #post(url: string, fields: Record<string, string>): Promise<number | "network_error"> {
    const body = new URLSearchParams(fields).toString();
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: number | "network_error"): void => {
        if (done) return;
        done = true;
        this.#open.delete(req);
        resolve(v);
      };
      const req = request(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", "content-length": Buffer.byteLength(body) },
        timeout: ATTEMPT_TIMEOUT_MS,
      }, (res) => {
        // The status is the answer; the body is drained and ignored.
        res.resume();
        finish(res.statusCode ?? 0);
      });
      this.#open.add(req);
      req.on("timeout", () => req.destroy());
      req.on("error", () => finish("network_error"));
      req.on("close", () => finish("network_error"));
      req.end(body);
    });
  }
}

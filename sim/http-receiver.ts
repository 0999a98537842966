// One site's Genesys HTTP receiver (/httpapi/receiver, GET query or POST form, UTF-8), answering
// `result=<code>` as text/plain. Rules are in rules.ts. Faults, in the order they act:
//   partition            the request is held and never answered (and not processed)
//   http_error           HTTP `status` (default 503), not processed
//   throttle / result    result=6 / result=<result> (default 98), not processed; a result fault's
//                        `status` sets the HTTP status the code comes with (default 200)
//   latency              the MT IS processed at once, the answer waits `ms` (so a client that times
//                        out has still had its message taken: the ambiguous case a retry must survive)
//   malformed / partial / drop   the MT IS processed, then the answer is a body without "=",
//                        half a body then silence, or a connection destroyed mid-answer
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CallbackSender } from "./callbacks.ts";
import type { SimContext } from "./context.ts";
import type { Component } from "./faults.ts";
import { SwitchableListener } from "./listener.ts";
import { httpReceipts } from "./receipts.ts";
import { checkHttpMt } from "./rules.ts";
import type { SiteName } from "./types.ts";

export const RECEIVER_PATH = "/httpapi/receiver";
const MAX_BODY = 1 << 20;

/** One site's HTTP receiver. */
export class HttpReceiver {
  readonly site: SiteName;
  readonly listener: SwitchableListener;
  readonly #ctx: SimContext;
  readonly #callbacks: CallbackSender;
  /** Requests held by a partition or a partial answer; destroyed on stop. */
  readonly #held = new Set<ServerResponse>();

  constructor(ctx: SimContext, callbacks: CallbackSender, site: SiteName, port: number) {
    this.#ctx = ctx;
    this.#callbacks = callbacks;
    this.site = site;
    this.listener = new SwitchableListener(() => {
      const server = createServer((req, res) => void this.#handle(req, res).catch(() => res.destroy()));
      server.keepAliveTimeout = 1000;
      return server;
    }, ctx.host, port);
  }

  get component(): Component {
    return { site: this.site };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sim");
    if (url.pathname !== RECEIVER_PATH) return text(res, 404, "not found");
    if (req.method !== "GET" && req.method !== "POST") return text(res, 405, "method not allowed");
    const body = await readBody(req);
    const { faults, timers } = this.#ctx;
    const c = this.component;
    if (faults.take("partition", c)) {
      this.#hold(res);
      return;
    }
    const latency = faults.take("latency", c)?.ms ?? 0;
    const answer = (fn: () => void): void => {
      if (latency > 0) timers.after(latency, fn);
      else fn();
    };
    const httpError = faults.take("http_error", c);
    if (httpError) return answer(() => text(res, httpError.status ?? 503, "Service Unavailable"));
    const params = new URLSearchParams(url.search);
    if (req.method === "POST") for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    const { result, status } = await this.#process(params);
    answer(() => this.#answer(res, result, status));
  }

  /** Runs the MT through faults, rules and dedup; answers the Genesys result code (and the HTTP status it comes with). */
  async #process(p: URLSearchParams): Promise<{ result: number; status: number }> {
    const { faults, ledger, now, config, mtDedup } = this.#ctx;
    const c = this.component;
    const messageId = p.get("message_id") ?? undefined;
    const reject = (result: number, reason: string, status = 200): { result: number; status: number } => {
      ledger.record("mtRejected", { via: "http", site: this.site, result, reason, at: now(), ...(messageId ? { message_id: messageId } : {}) });
      return { result, status };
    };
    const forced = faults.takeFirst(["throttle", "result"], c);
    if (forced?.kind === "throttle") return reject(6, "throttled (fault)");
    if (forced) return reject(forced.result ?? 98, "forced result (fault)", forced.status ?? 200);
    const check = checkHttpMt(p, config.account);
    if (!check.ok) return reject(check.result, check.reason);
    const mt = check.mt;
    if (mtDedup.seen(this.site, mt.messageId)) {
      ledger.record("duplicates", { site: this.site, message_id: mt.messageId, at: now() });
      return reject(7, "duplicate message_id");
    }
    mtDedup.take(this.site, mt.messageId);
    ledger.record("mtAccepted", {
      via: "http", site: this.site, message_id: mt.messageId, to: mt.to, sender: mt.sender, textLength: mt.textLength,
      receipt: mt.receipt, priority: mt.priority, at: now(), ...(mt.carrier !== undefined ? { carrier: mt.carrier } : {}),
    });
    if (mt.receipt) {
      await httpReceipts(this.#ctx, this.#callbacks, {
        site: this.site, messageId: mt.messageId, appId: mt.appId, conversationId: mt.conversationId,
        segments: mt.textLength > 160 ? Math.ceil(mt.textLength / 153) : 1,
      });
    }
    return { result: 0, status: 200 };
  }

  #answer(res: ServerResponse, result: number, status: number): void {
    const { faults } = this.#ctx;
    const c = this.component;
    const body = `result=${result}`;
    const broken = faults.takeFirst(["malformed", "partial", "drop"], c);
    if (broken?.kind === "malformed") return text(res, 200, "<html><body>Service temporarily unavailable</body></html>");
    if (broken) {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
      res.write(body.slice(0, Math.floor(body.length / 2)));
      if (broken.kind === "partial") this.#hold(res);
      else setImmediate(() => res.socket?.destroy());
      return;
    }
    text(res, status, body);
  }

  #hold(res: ServerResponse): void {
    this.#held.add(res);
    res.on("close", () => this.#held.delete(res));
  }

  /** Destroys held requests (the listener closes the rest). */
  stop(): void {
    for (const r of this.#held) r.destroy();
    this.#held.clear();
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error("body too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Traffic as a user makes it, shared by `npm run demo`, the chaos test and the chaos script: MTs through the
 * edge (HTTP path) and through the core (SMPP path), MOs injected at the simulator (via SMPP or HTTP). Every
 * call is recorded with what it came to, so the audit can compare it with the simulator's ledger and the
 * webhook receiver. An answer is "clear" when it carries a SendOutcome (2xx body, or a problem+json's
 * `outcome` member); anything else (network error, timeout, unreadable body) is recorded as `unclear`.
 * The edge's and the core's APIs are called through typed clients (`hc` from hono/client, typed by each app's
 * `AppType`): a change to their contract breaks `npm run typecheck` here. The simulator's control API is not a
 * Hono app and is called with plain fetch.
 */
import { hc } from "hono/client";
import type { AppType as CoreApp } from "../../core/http/app.ts";
import type { AppType as EdgeApp } from "../../edge/app.ts";

/** What the audit reads of GET /v1/messages/:id. */
export interface StatusView {
  state?: string;
  finalState?: string;
  receipts: number;
}

export type OutcomeStatus = "accepted" | "rejected" | "unknown";

/** The parts of a SendOutcome (contract/outcome.ts) the audit reads. */
export interface OutcomeView {
  status: OutcomeStatus;
  messageId: string;
  site?: string;
  node?: string;
  deduplicated?: boolean;
  smscMessageIds?: string[];
  attempts?: { site: string; node?: string; outcome: string }[];
  reason?: string;
}

export type Answer =
  | { kind: "clear"; httpStatus: number; outcome: OutcomeView }
  | { kind: "unclear"; httpStatus?: number; error: string };

export type MtPath = "edge" | "core";

export interface MtRecord {
  path: MtPath;
  /** Our clientMessageId (also the Genesys message_id on the HTTP path). */
  id: string;
  at: number;
  ms: number;
  answer: Answer;
  /** Resent once, same id, after the connection was reset before any answer. */
  resent?: boolean;
}

export interface MoRecord {
  via: "smpp" | "http";
  /** Unique per MO: SMPP MOs carry no Genesys id, so the text is how the audit finds its event. */
  text: string;
  at: number;
  /** The simulator's MO id (POST /mo answer); absent when injection failed. */
  messageId?: string;
  error?: string;
}

export interface Endpoints {
  edgeUrl: string;
  edgeKey: string;
  coreUrl: string;
  coreToken: string;
  controlUrl: string;
}

/** The typed clients of both apps, each with its credential. */
function clients(ep: Endpoints) {
  return {
    edge: hc<EdgeApp>(ep.edgeUrl, { headers: { authorization: `Bearer ${ep.edgeKey}` } }),
    core: hc<CoreApp>(ep.coreUrl, { headers: { authorization: `Bearer ${ep.coreToken}` } }),
  };
}

/** POST /v1/messages' answer, as either app's typed client gives it. */
type SendResponse = Awaited<ReturnType<ReturnType<typeof clients>[MtPath]["v1"]["messages"]["$post"]>>;

/** Reads an HTTP answer into a clear outcome, or says why it is not one. */
async function readAnswer(r: SendResponse): Promise<Answer> {
  let outcome: OutcomeView | undefined;
  try {
    // 202: a SendOutcome; any other status: a problem document, with the outcome when there is one.
    outcome = r.status === 202 ? await r.json() : (await r.json()).outcome;
  } catch {
    return { kind: "unclear", httpStatus: r.status, error: `not JSON (${r.status})` };
  }
  if (outcome?.status === "accepted" || outcome?.status === "rejected" || outcome?.status === "unknown") {
    return { kind: "clear", httpStatus: r.status, outcome };
  }
  return { kind: "unclear", httpStatus: r.status, error: `no outcome in the answer (${r.status})` };
}

/** Records calls and keeps running totals; `inFlight` lets callers bound concurrency. */
export class Traffic {
  readonly mts: MtRecord[] = [];
  readonly mos: MoRecord[] = [];
  inFlight = 0;
  #n = 0;
  readonly #run: string;
  readonly #api: ReturnType<typeof clients>;

  constructor(readonly ep: Endpoints, opts: { runId?: string; timeoutMs?: number } = {}) {
    this.#run = opts.runId ?? Date.now().toString(36);
    this.#api = clients(ep);
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }
  readonly timeoutMs: number;

  /** One MT on a path, with receipt requested. Never throws: a failure is an `unclear` record. */
  async sendMt(path: MtPath): Promise<MtRecord> {
    const n = ++this.#n;
    const id = `${this.#run}-${path[0]}${n}`;
    // Every fourth MT is long: several segments (SMPP: a submit_sm each; HTTP: a receipt each).
    const text = n % 4 === 0 ? `demo ${path} MT ${n} `.padEnd(200, "long text ") : `demo ${path} MT ${n}`;
    const body = { to: `+1202555${String(n % 10_000).padStart(4, "0")}`, sender: "12345", text, receipt: true, clientMessageId: id };
    const t0 = Date.now();
    this.inFlight++;
    let answer: Answer | undefined;
    let resent = false;
    try {
      // A connection reset before any answer (a keep-alive socket closed under the request) is resent once with
      // the same id, as the API tells callers to: the audit then proves the resend was not taken twice.
      for (let attempt = 0; !answer; attempt++) {
        try {
          const args = { json: body, header: {} };
          const init = { init: { signal: AbortSignal.timeout(this.timeoutMs) } };
          answer = await readAnswer(path === "edge" ? await this.#api.edge.v1.messages.$post(args, init) : await this.#api.core.v1.messages.$post(args, init));
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          if (attempt === 0 && /ECONNRESET|socket connection was closed/i.test(error)) resent = true;
          else answer = { kind: "unclear", error };
        }
      }
    } finally {
      this.inFlight--;
    }
    const rec: MtRecord = { path, id, at: t0, ms: Date.now() - t0, answer, ...(resent && { resent }) };
    this.mts.push(rec);
    return rec;
  }

  /**
   * GET /v1/messages/:id of every accepted MT, by id: edge MTs asked through the edge (with its key), core MTs of
   * the core; undefined where the answer was not a 200.
   */
  async statuses(): Promise<Map<string, StatusView | undefined>> {
    const out = new Map<string, StatusView | undefined>();
    const todo = this.mts.filter((m) => m.answer.kind === "clear" && m.answer.outcome.status === "accepted");
    const one = async (m: MtRecord) => {
      const args = { param: { id: m.id } };
      const init = { init: { signal: AbortSignal.timeout(5_000) } };
      try {
        const r = m.path === "edge" ? await this.#api.edge.v1.messages[":id"].$get(args, init) : await this.#api.core.v1.messages[":id"].$get(args, init);
        const s = r.status === 200 ? await r.json() : (await r.body?.cancel(), undefined);
        out.set(m.id, s && { ...(s.state && { state: s.state }), ...(s.finalState && { finalState: s.finalState }), receipts: s.receipts.length });
      } catch {
        out.set(m.id, undefined);
      }
    };
    for (let i = 0; i < todo.length; i += 16) await Promise.all(todo.slice(i, i + 16).map(one));
    return out;
  }

  /** Injects one MO at the simulator (POST /mo), optionally first offered on a given node. */
  async injectMo(via: "smpp" | "http", node?: string): Promise<MoRecord> {
    const n = ++this.#n;
    const rec: MoRecord = { via, text: `demo MO ${via} ${this.#run} ${n}`, at: Date.now() };
    try {
      const r = await fetch(`${this.ep.controlUrl}/mo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ from: "12025550111", to: "12345", text: rec.text, via, ...(node && { node }) }),
        signal: AbortSignal.timeout(5_000),
      });
      const j = (await r.json()) as { message_id?: string; detail?: string };
      if (r.ok && j.message_id) rec.messageId = j.message_id;
      else rec.error = j.detail ?? `HTTP ${r.status}`;
    } catch (e) {
      rec.error = e instanceof Error ? e.message : String(e);
    }
    this.mos.push(rec);
    return rec;
  }

  /** Running totals for a progress line. */
  totals() {
    const t = { edge: tally(), core: tally(), mos: this.mos.filter((m) => m.messageId).length, moErrors: this.mos.filter((m) => m.error).length };
    for (const m of this.mts) {
      const s = t[m.path];
      s.sent++;
      if (m.answer.kind === "unclear") {
        s.unclear++;
        continue;
      }
      const o = m.answer.outcome;
      s[o.status]++;
      if (o.status === "accepted") {
        if (o.site) s.bySite[o.site] = (s.bySite[o.site] ?? 0) + 1;
        if (failedOver(o)) s.failedOver++;
      }
    }
    return t;
  }
}

function tally() {
  return { sent: 0, accepted: 0, rejected: 0, unknown: 0, unclear: 0, failedOver: 0, bySite: {} as Record<string, number> };
}

/** Accepted after a failed or skipped attempt elsewhere: the request moved to another site or node. */
export function failedOver(o: OutcomeView): boolean {
  return (o.attempts ?? []).some((a) => a.outcome !== "accepted" && a.outcome !== "duplicate");
}

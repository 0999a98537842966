/**
 * Receipts to MTs. A receipt names the SMSC message id (hex or decimal, any leading zeros); the store keeps
 * every segment's id forms per client message id. A receipt that beats its submit_sm_resp (or whose MT was
 * sent by another core that has not recorded it yet) is parked, durably, and stored with the client message
 * id filled in when the submit is recorded. Parked receipts older than `parkLimitMs` are stored uncorrelated
 * (no clientMessageId, smscMessageId kept) so the customer still gets them. Every receipt of an MT is kept:
 * each has its own dedup key. Parks and submit records are group-committed, like the inbox's events. (MT
 * claims, which say which core sends an id, are outbound/send-once.ts's.)
 */
import { Emitter, smscMessageIdForms, systemClock, type Clock, type Disposable, type Event } from "../../contract/index.ts";
import { GroupCommit } from "../store/group-commit.ts";
import type { Inbox } from "./inbox.ts";
import { withClientMessageId } from "../store/mt-sql.ts";
import type { CorrelationOp, CorrelationOpResult, ParkResult, StoredEvent, Store, SubmitRecord } from "../store/store.ts";
import { PeriodicSweep } from "../platform/sweep.ts";
import type { Wakeup } from "../platform/wakeup.ts";

export type ReceiptResult =
  | { readonly outcome: "stored"; readonly clientMessageId: string | undefined }
  | { readonly outcome: "duplicate" }
  | { readonly outcome: "parked" };

export interface CorrelationOptions {
  readonly store: Store;
  readonly inbox: Inbox;
  readonly clock?: Clock;
  /** How long a receipt waits for its submit before it is delivered uncorrelated (default 10 min). */
  readonly parkLimitMs?: number;
  /** How often parked receipts are swept (default 30 s). */
  readonly sweepMs?: number;
  readonly wakeup?: Wakeup;
  /** Most parks and submits in one transaction (default 1000). */
  readonly maxBatch?: number;
}

export interface CorrelationEvents {
  /** A receipt parked (or found parked) already: a redelivery. */
  parkedDuplicate: { readonly dedupKey: string };
}

export class Correlation {
  readonly #events = new Emitter<CorrelationEvents>();
  readonly #o: CorrelationOptions;
  readonly #clock: Clock;
  readonly #limit: number;
  readonly #sweeper: PeriodicSweep;
  readonly #batches: GroupCommit<CorrelationOp, CorrelationOpResult>;

  constructor(opts: CorrelationOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#limit = opts.parkLimitMs ?? 10 * 60_000;
    // Group commit, as in the inbox; a failed batch is retried one transaction per op, so one bad op fails alone.
    this.#batches = new GroupCommit<CorrelationOp, CorrelationOpResult>((ops) => this.#o.store.correlate(ops, this.#clock.now()), { maxBatch: opts.maxBatch ?? 1000, onBatchError: "retry_each" });
    this.#sweeper = new PeriodicSweep(this.#clock, opts.sweepMs ?? 30_000, () => this.sweep());
  }

  on<K extends keyof CorrelationEvents>(name: K, fn: (event: CorrelationEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /**
   * Records an MT's segments (call when the submit_sm_resp arrives). Stores, correlated, any parked receipts
   * they match, in the same transaction; returns how many it released.
   */
  async recordSubmit(rec: SubmitRecord): Promise<{ released: number }> {
    const released = (await this.enqueue({ kind: "submit", rec })) as StoredEvent[];
    if (released.length > 0) this.#o.wakeup?.notify();
    return { released: released.length };
  }

  /** Our client message id for an SMSC message id, if its submit is recorded. */
  correlateReceipt(smscMessageId: string): Promise<string | undefined> {
    return this.#o.store.findClientMessageId(smscMessageIdForms(smscMessageId));
  }

  /** Parks a receipt event (durable), unless it is stored already or its submit is recorded by now. */
  park(event: Event): Promise<ParkResult> {
    return this.#park(event, formsOf(event));
  }

  async #park(event: Event, forms: readonly string[]): Promise<ParkResult> {
    const r = (await this.enqueue({ kind: "park", event, forms })) as ParkResult;
    if (r.outcome === "stored") this.#o.wakeup?.notify();
    if (r.outcome === "duplicate") this.#events.emit("parkedDuplicate", { dedupKey: event.dedupKey });
    return r;
  }

  /**
   * The SMPP layer's one call for a receipt event: correlated → stored through the inbox (group commit) with
   * clientMessageId filled in; otherwise parked. Resolves once durable (then answer deliver_sm_resp OK);
   * rejects when the store fails. Receipts without an SMSC id are stored as they are.
   */
  async receipt(event: Event): Promise<ReceiptResult> {
    if (event.type !== "message.status") throw new TypeError("receipt() takes message.status events");
    const known = event.data.clientMessageId;
    const smscId = event.data.smscMessageId;
    if (known === undefined && smscId !== undefined) {
      const forms = smscMessageIdForms(smscId);
      const cmid = await this.#o.store.findClientMessageId(forms);
      if (cmid === undefined) {
        const r = await this.#park(event, forms);
        return r.outcome === "stored" ? { outcome: "stored", clientMessageId: r.clientMessageId } : r;
      }
      event = withClientMessageId(event, cmid);
    }
    const r = await this.#o.inbox.accept(event);
    return r.stored ? { outcome: "stored", clientMessageId: event.type === "message.status" ? event.data.clientMessageId : undefined } : { outcome: "duplicate" };
  }

  /** Any correlation op (an MT claim: outbound/send-once.ts) in the next of these batches. */
  enqueue(op: CorrelationOp): Promise<CorrelationOpResult> {
    return this.#batches.submit(op);
  }

  /** Stores parked receipts that now correlate, and the expired ones uncorrelated. */
  async sweep(): Promise<{ correlated: number; uncorrelated: number }> {
    const now = this.#clock.now();
    const r = await this.#o.store.releaseParked(now - this.#limit, now);
    if (r.correlated.length + r.uncorrelated.length > 0) this.#o.wakeup?.notify();
    return { correlated: r.correlated.length, uncorrelated: r.uncorrelated.length };
  }

  /** Sweeps every `sweepMs` until stopped. */
  start(): void {
    this.#sweeper.start();
  }

  stop(): void {
    this.#sweeper.stop();
  }
}

function formsOf(event: Event): string[] {
  return event.type === "message.status" && event.data.smscMessageId !== undefined ? smscMessageIdForms(event.data.smscMessageId) : [];
}

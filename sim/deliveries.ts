// Delivers deliver_sm PDUs (receipts and MOs) on the account's active receiver-capable binds, the way
// Genesys does: on ANY active bind; a deliver_sm not acknowledged within deliverAckTimeoutMs, answered
// with a non-zero status, or lost with its connection, is delivered again, preferably on another bind.
// With no active bind the delivery waits until one appears (Genesys keeps DRs and MOs for the account).
import type { SimContext } from "./context.ts";
import type { NodeName, SiteName } from "./types.ts";

/** A bound session seen from the dispatcher. */
export interface DeliverySink {
  readonly id: number;
  readonly node: NodeName;
  readonly site: SiteName;
  /** Bound as receiver/transceiver, connected, not partitioned, not stalled. */
  canReceive(): boolean;
  /** Writes a deliver_sm; answers its sequence_number, or undefined when nothing was written. */
  sendDeliver(fields: Record<string, unknown>): number | undefined;
}

export interface Delivery {
  kind: "receipt" | "mo";
  /** SMSC message id (receipt) or Genesys MO id. */
  messageId: string;
  fields: Record<string, unknown>;
  duplicate: boolean;
  early?: boolean;
  /** An MO part's seq (1-based), recorded in the ledger. */
  part?: number;
  /** A receipt's state, recorded in the ledger. */
  state?: string;
  /** Choice preferences, in order: this session, this node (first attempt only), this site. */
  preferSink?: DeliverySink;
  preferNode?: NodeName;
  preferSite?: SiteName;
}

interface Tracked extends Delivery {
  id: string;
  attempts: number;
  last?: DeliverySink;
}

interface InFlight {
  d: Tracked;
  sink: DeliverySink;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const MAX_ATTEMPTS = 10;

/** Chooses binds, tracks acknowledgements, redelivers. */
export class Dispatcher {
  readonly #ctx: SimContext;
  readonly #sinks: () => DeliverySink[];
  #pending: Tracked[] = [];
  readonly #inFlight = new Map<string, InFlight>();
  /** Deliveries given up on by timeout, so a late ack is still recorded (as late). */
  readonly #late = new Map<string, Tracked>();

  constructor(ctx: SimContext, sinks: () => DeliverySink[]) {
    this.#ctx = ctx;
    this.#sinks = sinks;
  }

  /** Queues a delivery and sends it at once if a bind is available. */
  deliver(d: Delivery): void {
    this.#send({ ...d, id: this.#ctx.ids.delivery(), attempts: 0 });
  }

  /** A receiver-capable bind appeared: flush what waited. */
  onBound(): void {
    const waiting = this.#pending;
    this.#pending = [];
    for (const t of waiting) this.#send(t);
  }

  /** A deliver_sm_resp (or generic_nack) arrived on `sink`. */
  onResponse(sink: DeliverySink, seq: number, status: number): void {
    const key = `${sink.id}:${seq}`;
    const f = this.#inFlight.get(key);
    if (!f) {
      const late = this.#late.get(key);
      if (late && status === 0) {
        this.#late.delete(key);
        this.#recordAck(late, sink, true);
      }
      return;
    }
    this.#inFlight.delete(key);
    this.#ctx.timers.cancel(f.timer);
    if (status === 0) this.#recordAck(f.d, sink, false);
    else this.#redeliver(f.d, sink, "nack", status);
  }

  /** `sink` closed: whatever it had in flight goes elsewhere; no late ack can come on it any more. */
  onClosed(sink: DeliverySink): void {
    for (const [key, f] of this.#inFlight) {
      if (f.sink !== sink) continue;
      this.#inFlight.delete(key);
      this.#ctx.timers.cancel(f.timer);
      this.#redeliver(f.d, sink, "closed");
    }
    const prefix = `${sink.id}:`;
    for (const key of this.#late.keys()) if (key.startsWith(prefix)) this.#late.delete(key);
  }

  #send(t: Tracked): void {
    const sink = this.#choose(t);
    if (!sink) {
      this.#pending.push(t);
      return;
    }
    const seq = sink.sendDeliver(t.fields);
    if (seq === undefined) {
      this.#pending.push(t);
      return;
    }
    t.attempts++;
    t.last = sink;
    const { ledger, now } = this.#ctx;
    const entry = {
      via: "smpp" as const, site: sink.site, node: sink.node, sessionId: sink.id, message_id: t.messageId,
      deliveryId: t.id, attempt: t.attempts, duplicate: t.duplicate, at: now(),
      ...(t.early ? { early: true } : {}),
      ...(t.part ? { part: t.part } : {}),
      ...(t.state ? { state: t.state } : {}),
    };
    ledger.record(t.kind === "receipt" ? "receiptsEmitted" : "mosEmitted", entry);
    const key = `${sink.id}:${seq}`;
    const timer = this.#ctx.timers.after(this.#ctx.config.deliverAckTimeoutMs, () => {
      if (!this.#inFlight.delete(key)) return;
      this.#late.set(key, t);
      this.#redeliver(t, sink, "timeout");
    });
    this.#inFlight.set(key, { d: t, sink, timer });
  }

  #choose(t: Tracked): DeliverySink | undefined {
    let all = this.#sinks().filter((s) => s.canReceive());
    if (all.length === 0) return undefined;
    // Redeliver "on another active bind" when there is one.
    if (t.last && all.length > 1) all = all.filter((s) => s !== t.last);
    if (t.attempts === 0 && t.preferSink && all.includes(t.preferSink)) return t.preferSink;
    const byNode = t.attempts === 0 && t.preferNode ? all.filter((s) => s.node === t.preferNode) : [];
    const bySite = t.preferSite ? all.filter((s) => s.site === t.preferSite) : [];
    const pool = byNode.length ? byNode : bySite.length ? bySite : all;
    return pool[Math.min(pool.length - 1, Math.floor(this.#ctx.random() * pool.length))];
  }

  #redeliver(t: Tracked, from: DeliverySink, reason: "timeout" | "nack" | "closed", status?: number): void {
    const { ledger, now } = this.#ctx;
    if (t.attempts >= MAX_ATTEMPTS) {
      ledger.record("abandoned", { kind: t.kind, message_id: t.messageId, deliveryId: t.id, attempts: t.attempts, at: now() });
      return;
    }
    ledger.record("redeliveries", {
      kind: t.kind, message_id: t.messageId, deliveryId: t.id, fromNode: from.node, reason, at: now(),
      ...(status !== undefined ? { status } : {}),
    });
    this.#send(t);
  }

  #recordAck(t: Tracked, sink: DeliverySink, late: boolean): void {
    this.#ctx.ledger.record(t.kind === "receipt" ? "receiptsAcked" : "mosAcked", {
      via: "smpp", site: sink.site, node: sink.node, sessionId: sink.id, message_id: t.messageId, deliveryId: t.id,
      late, at: this.#ctx.now(), ...(t.part ? { part: t.part } : {}),
    });
  }
}

/**
 * The inbound path of every bind: deliver_sm → receipt, MO part or MO → committed in the store → the
 * command_status of its deliver_sm_resp. Nothing is answered ESME_ROK before it is durable; a store failure
 * throws, so the session answers a temporary error and the SMSC delivers again. It logs and counts nothing:
 * what it handled is an event.
 */
import { Emitter, makeEventWith, toHex, type Clock, type Disposable, type EventSource, type SmscNode } from "../../contract/index.ts";
import { Status, type DeliverHandler, type DeliverSmPdu } from "../smpp/index.ts";
import type { Correlation } from "./correlation.ts";
import { decodeDeliver } from "./deliver-event.ts";
import type { Inbox } from "./inbox.ts";
import { acceptContentMo, contentHash, sha256hex } from "./mo-dedup.ts";
import type { MoParts } from "./mo-parts.ts";

export interface InboundDispatcherOptions {
  readonly correlation: Pick<Correlation, "receipt">;
  readonly moParts: Pick<MoParts, "accept">;
  readonly inbox: Inbox;
  readonly clock: Clock;
  /** The MO content dedup window (config inbox.moDedupWindowMs). */
  readonly moDedupWindowMs: number;
  /**
   * The SMSC's deliver_sm_resp timeout, or more (config inbox.smscAckTimeoutMs): an MO not answered within it
   * is one the SMSC delivers again, so the next copy of it is that redelivery. Set it lower than the SMSC's and
   * a genuine second message could be taken for a redelivery; higher only marks more redeliveries.
   */
  readonly smscAckTimeoutMs: number;
}

export interface InboundEvents {
  /** A deliver_sm the core cannot use: answered ESME_RX_P_APPN (permanent, so the SMSC stops). */
  unusable: { readonly node: string; readonly reason: string; readonly sequence: number };
  /** A receipt or a whole MO, committed or found stored already; a concatenated MO once, when its last part completes it. */
  handled: { readonly kind: "receipt" | "mo"; readonly node: string; readonly outcome: "stored" | "duplicate" | "parked" };
  /** An id-less MO with the content of one stored in the window, not known to be its redelivery: stored, marked. */
  possibleDuplicate: { readonly node: string };
  /** An id-less MO known to be a redelivery (its first copy's deliver_sm_resp never went out): stored once. */
  redelivery: { readonly node: string; readonly how: "unanswered" | "same_sequence" };
}

/** An id-less MO as stored: its content hash and the dedup key of its event. */
interface SeenMo {
  readonly hash: string;
  readonly key: string;
  readonly at: number;
}

/** An id-less MO being handled or not answered in time: the SMSC will deliver it again. */
interface Copy {
  readonly at: number;
  /** Its event's dedup key, once stored. */
  readonly key: Promise<string>;
  answered: "pending" | "unanswered";
}

/** Most deliver_sm a session remembers by sequence number (the same-sequence redelivery signal). */
const SEQUENCES_KEPT = 4096;

export class InboundDispatcher {
  readonly #events = new Emitter<InboundEvents>();
  /**
   * Id-less MOs being handled, or whose deliver_sm_resp never went out (the session closed first) or went out
   * after smscAckTimeoutMs, by content hash: the SMSC delivers each of those again, on any bind, and that copy is
   * the same MO (each stands for one redelivery). In memory: after a restart, or on another core, such a copy is
   * stored again marked possibleDuplicate (nothing lost, the application decides).
   */
  readonly #copies = new Map<string, Copy[]>();

  constructor(private readonly o: InboundDispatcherOptions) {}

  on<K extends keyof InboundEvents>(name: K, fn: (event: InboundEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /** The deliver_sm handler for one session of `node` (the connector asks for one per session). */
  handler(node: SmscNode): DeliverHandler {
    const session: SessionMemory = { bySequence: new Map(), byPdu: new WeakMap() };
    const h: DeliverHandler = (pdu) => this.deliver(node, pdu, session);
    h.answered = (pdu, status, written) => {
      const c = session.byPdu.get(pdu);
      if (c === undefined) return;
      session.byPdu.delete(pdu);
      const late = this.o.clock.now() - c.copy.at >= this.o.smscAckTimeoutMs;
      if (status === Status.ESME_ROK && (!written || late)) c.copy.answered = "unanswered";
      else this.#drop(c.hash, c.copy);
    };
    return h;
  }

  #drop(hash: string, copy: Copy): void {
    const list = this.#copies.get(hash);
    if (list === undefined) return;
    const i = list.indexOf(copy);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#copies.delete(hash);
  }

  /**
   * A copy of this content the SMSC must deliver again (never answered, answered late, or still unanswered past
   * the SMSC's timeout), taken: the MO arriving now is its redelivery.
   */
  #takeRedelivered(hash: string, now: number): Copy | undefined {
    const list = this.#copies.get(hash);
    if (list === undefined) return undefined;
    const live = list.filter((c) => now - c.at < this.o.moDedupWindowMs);
    const i = live.findIndex((c) => c.answered === "unanswered" || now - c.at >= this.o.smscAckTimeoutMs);
    const [taken] = i >= 0 ? live.splice(i, 1) : [];
    if (live.length) this.#copies.set(hash, live);
    else this.#copies.delete(hash);
    return taken;
  }

  /**
   * What this core knows of an id-less deliver_sm with content `hash` (a whole MO, or one part): `sameSequence`
   * (the key stored for the same sequence on this session: our answer was lost) or `redelivered` (a copy whose
   * answer never went out in time), and a copy of its own registered until it is answered. Call `stored` with
   * the key once committed, `failed` when the store failed.
   */
  #known(session: SessionMemory | undefined, pdu: DeliverSmPdu, hash: string, now: number) {
    const sequence = pdu.sequence;
    const prior = session?.bySequence.get(sequence);
    const sameSequence = prior !== undefined && prior.hash === hash && now - prior.at < this.o.moDedupWindowMs ? prior.key : undefined;
    const redelivered = sameSequence === undefined ? this.#takeRedelivered(hash, now) : undefined;
    let resolve!: (key: string) => void;
    let reject!: (e: unknown) => void;
    const copy: Copy = { at: now, key: new Promise<string>((res, rej) => ((resolve = res), (reject = rej))), answered: "pending" };
    copy.key.catch(() => undefined);
    const list = this.#copies.get(hash);
    if (list) list.push(copy);
    else this.#copies.set(hash, [copy]);
    return {
      sameSequence,
      redelivered,
      failed: (e: unknown) => {
        this.#drop(hash, copy);
        reject(e);
      },
      stored: (key: string) => {
        resolve(key);
        if (session) {
          session.byPdu.set(pdu, { hash, copy });
          session.bySequence.delete(sequence);
          session.bySequence.set(sequence, { hash, key, at: now });
          if (session.bySequence.size > SEQUENCES_KEPT) session.bySequence.delete(session.bySequence.keys().next().value!);
        } else this.#drop(hash, copy); // no session to say how it was answered
      },
    };
  }

  /** Handles one deliver_sm from `node`; resolves to its deliver_sm_resp status once what it carried is durable. */
  async deliver(node: SmscNode, pdu: DeliverSmPdu, session?: SessionMemory): Promise<number> {
    const d = decodeDeliver(pdu);
    const source: EventSource = { channel: "smpp", site: node.site, node: node.name };
    const now = this.o.clock.now();
    if (d.kind === "invalid") {
      this.#events.emit("unusable", { node: node.name, reason: d.reason, sequence: pdu.sequence });
      return Status.ESME_RX_P_APPN;
    }
    if (d.kind === "receipt") {
      const r = await this.o.correlation.receipt(makeEventWith(sha256hex, "message.status", d.dedupKey, d.data, source, new Date(now)));
      this.#events.emit("handled", { kind: "receipt", node: node.name, outcome: r.outcome });
    } else if (d.kind === "mo_part") {
      // A part is a redelivery we can tell as a whole MO is (below): the same sequence again on this session, or
      // a copy of a part whose answer never went out (in time). Any other copy of a delivered group's part is a
      // new message reusing the reference (core/store/parts-sql.ts).
      const p = d.part;
      const hash = sha256hex(`part\0${p.groupKey}\0${p.concat.seq}\0${toHex(p.payload)}`);
      const known = this.#known(session, pdu, hash, now);
      let r: Awaited<ReturnType<MoParts["accept"]>>;
      try {
        r = await this.o.moParts.accept(p, source, now, known.sameSequence !== undefined || known.redelivered !== undefined); // committed (and assembled when last) before the resp
      } catch (e) {
        known.failed(e);
        throw e;
      }
      known.stored("");
      if (r.outcome === "completed") {
        if (r.possibleDuplicateOf) this.#events.emit("possibleDuplicate", { node: node.name });
        this.#events.emit("handled", { kind: "mo", node: node.name, outcome: r.stored && !r.possibleDuplicateOf ? "stored" : "duplicate" });
      }
    } else {
      const hash = contentHash(d.mo);
      const known = this.#known(session, pdu, hash, now);
      let r: Awaited<ReturnType<typeof acceptContentMo>>;
      try {
        const redeliveryOf = known.sameSequence ?? (known.redelivered && (await known.redelivered.key));
        r = await acceptContentMo({ inbox: this.o.inbox }, d.mo, source, now, this.o.moDedupWindowMs, redeliveryOf);
      } catch (e) {
        known.failed(e);
        throw e;
      }
      known.stored(r.key);
      const redeliveryOf = known.sameSequence ?? (known.redelivered && r.key);
      if (redeliveryOf !== undefined) this.#events.emit("redelivery", { node: node.name, how: known.sameSequence ? "same_sequence" : "unanswered" });
      else if (r.stored && r.possibleDuplicateOf) this.#events.emit("possibleDuplicate", { node: node.name });
      this.#events.emit("handled", { kind: "mo", node: node.name, outcome: r.stored && !r.possibleDuplicateOf ? "stored" : "duplicate" });
    }
    return Status.ESME_ROK;
  }
}

/** What one session's handler remembers of the id-less MOs it handled. */
interface SessionMemory {
  readonly bySequence: Map<number, SeenMo>;
  readonly byPdu: WeakMap<DeliverSmPdu, { readonly hash: string; readonly copy: Copy }>;
}

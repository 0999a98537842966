/**
 * The inbound path of every bind: deliver_sm → receipt, MO part or MO → committed in the store → the
 * command_status of its deliver_sm_resp. Nothing is answered ESME_ROK before it is durable; a store failure
 * throws, so the session answers a temporary error and the SMSC delivers again. It logs and counts nothing:
 * what it handled is an event.
 */
import { Emitter, makeEventWith, type Clock, type Disposable, type EventSource, type SmscNode } from "../../contract/index.ts";
import { Status, type DeliverHandler, type DeliverSmPdu } from "../smpp/index.ts";
import type { Correlation } from "./correlation.ts";
import { decodeDeliver } from "./deliver-event.ts";
import type { Inbox } from "./inbox.ts";
import { acceptContentMo, sha256hex } from "./mo-dedup.ts";
import type { MoParts } from "./mo-parts.ts";

export interface InboundDispatcherOptions {
  readonly correlation: Pick<Correlation, "receipt">;
  readonly moParts: Pick<MoParts, "accept">;
  readonly inbox: Inbox;
  readonly clock: Clock;
  /** The MO content dedup window (config inbox.moDedupWindowMs). */
  readonly moDedupWindowMs: number;
}

export interface InboundEvents {
  /** A deliver_sm the core cannot use: answered ESME_RX_P_APPN (permanent, so the SMSC stops). */
  unusable: { readonly node: string; readonly reason: string; readonly sequence: number };
  /** A receipt or a whole MO, committed or found stored already; a concatenated MO once, when its last part completes it. */
  handled: { readonly kind: "receipt" | "mo"; readonly node: string; readonly outcome: "stored" | "duplicate" | "parked" };
  /** An id-less MO that was a copy of one in the previous content bucket (same-bucket copies are the inbox's). */
  contentDuplicate: { readonly node: string };
}

export class InboundDispatcher {
  readonly #events = new Emitter<InboundEvents>();

  constructor(private readonly o: InboundDispatcherOptions) {}

  on<K extends keyof InboundEvents>(name: K, fn: (event: InboundEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /** The deliver_sm handler for one node's sessions. */
  handler(node: SmscNode): DeliverHandler {
    return (pdu) => this.deliver(node, pdu);
  }

  /** Handles one deliver_sm from `node`; resolves to its deliver_sm_resp status once what it carried is durable. */
  async deliver(node: SmscNode, pdu: DeliverSmPdu): Promise<number> {
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
      const r = await this.o.moParts.accept(d.part, source, now); // committed (and assembled when last) before the resp
      if (r.outcome === "completed") this.#events.emit("handled", { kind: "mo", node: node.name, outcome: r.stored ? "stored" : "duplicate" });
    } else {
      const r = await acceptContentMo({ inbox: this.o.inbox }, d.mo, source, now, this.o.moDedupWindowMs);
      if (!r.stored && r.previous) this.#events.emit("contentDuplicate", { node: node.name });
      this.#events.emit("handled", { kind: "mo", node: node.name, outcome: r.stored ? "stored" : "duplicate" });
    }
    return Status.ESME_ROK;
  }
}

// The simulator's record of what it saw and did: what tests assert on. Never holds message text
// (only its length), so a ledger can be printed or served over the control API without leaking bodies.
import { EventEmitter } from "node:events";
import type { NodeName, SiteName } from "./types.ts";

type Via = "http" | "smpp";
export type BindType = "transmitter" | "receiver" | "transceiver";

export interface MtAcceptedEntry {
  via: Via; site: SiteName; node?: NodeName;
  /** Client message_id for HTTP; the SMSC message id for SMPP. */
  message_id: string;
  to: string; sender: string; textLength: number; receipt: boolean;
  dataCoding?: number; priority?: string; carrier?: string;
  /** SMPP concatenation UDH (ref, total, seq) when present. */
  segment?: { ref: number; total: number; seq: number };
  at: number;
}
export interface MtRejectedEntry {
  via: Via; site: SiteName; node?: NodeName; message_id?: string;
  /** Genesys result code (HTTP) or SMPP command_status. */
  result: number; reason: string; at: number;
}
export interface DuplicateEntry { site: SiteName; message_id: string; at: number }
export interface DeliveryEmittedEntry {
  via: Via; site: SiteName; node?: NodeName; sessionId?: number;
  /** SMPP: the SMSC message id (receipts) or Genesys MO id; HTTP: the client's MT id (receipts) or MO id. */
  message_id: string; deliveryId: string; attempt: number; duplicate: boolean; early?: boolean; at: number;
  /** An MO delivered in parts: this part's seq (1-based). */
  part?: number;
  /** A receipt's state (ENROUTE, DELIVERED, …). */
  state?: string;
}
/** What the carrier reports for one MT (SMPP: a submit_sm; HTTP: a message_id), decided when it was accepted. */
export interface ReceiptFateEntry {
  via: Via;
  /** SMPP: the SMSC message id; HTTP: the client's message_id. */
  message_id: string;
  final: "DELIVERED" | "UNDELIVERABLE" | "EXPIRED" | "REJECTED";
  errorCode?: string;
  /** ENROUTE before the final receipt, after it (out of order), or none. */
  enroute: "none" | "before" | "after";
  /** Distinct receipts planned (before duplicates). */
  receipts: number;
  at: number;
}
export interface DeliveryAckedEntry {
  via: Via; site: SiteName; node?: NodeName; sessionId?: number;
  message_id: string; deliveryId: string; late: boolean; at: number;
  part?: number;
}
export interface RedeliveryEntry {
  kind: "receipt" | "mo"; message_id: string; deliveryId: string;
  fromNode: NodeName; reason: "timeout" | "nack" | "closed"; status?: number; at: number;
}
export interface AbandonedEntry { kind: "receipt" | "mo"; message_id: string; deliveryId: string; attempts: number; at: number }
export interface CallbackAttemptEntry {
  type: "receipt" | "MO"; site: SiteName; message_id: string; attempt: number;
  /** HTTP status, or "network_error" / "no_url". */
  outcome: number | "network_error" | "no_url"; at: number;
}
export interface CallbackSucceededEntry { type: "receipt" | "MO"; site: SiteName; message_id: string; attempt: number; at: number }
export interface BindEntry { node: NodeName; site: SiteName; system_id: string; bindType: BindType; sessionId: number; at: number }
export interface BindAttemptEntry {
  node: NodeName; system_id: string; bindType: BindType;
  /** "unanswered": the bind arrived during a partition and was swallowed. */
  outcome: "ok" | "auth_failed" | "already_bound" | "unanswered"; at: number;
}
/** A TCP connection accepted by a node (refused connects while "down" cannot be seen). */
export interface ConnectionEntry { node: NodeName; sessionId: number; at: number }
export interface UnbindEntry { node: NodeName; sessionId: number; by: "client" | "smsc"; at: number }
export interface ActiveBind { node: NodeName; site: SiteName; system_id: string; bindType: BindType; sessionId: number; since: number }

/** Plain, JSON-ready copy of the ledger. */
export interface LedgerSnapshot {
  mtAccepted: MtAcceptedEntry[];
  mtRejected: MtRejectedEntry[];
  duplicates: DuplicateEntry[];
  receiptsEmitted: DeliveryEmittedEntry[];
  receiptFates: ReceiptFateEntry[];
  receiptsAcked: DeliveryAckedEntry[];
  mosEmitted: DeliveryEmittedEntry[];
  mosAcked: DeliveryAckedEntry[];
  redeliveries: RedeliveryEntry[];
  abandoned: AbandonedEntry[];
  callbacksAttempted: CallbackAttemptEntry[];
  callbacksSucceeded: CallbackSucceededEntry[];
  binds: BindEntry[];
  bindAttempts: BindAttemptEntry[];
  connections: ConnectionEntry[];
  unbinds: UnbindEntry[];
  activeBinds: ActiveBind[];
}

type ListKey = Exclude<keyof LedgerSnapshot, "activeBinds">;
const LISTS: readonly ListKey[] = [
  "mtAccepted", "mtRejected", "duplicates", "receiptsEmitted", "receiptFates", "receiptsAcked", "mosEmitted", "mosAcked",
  "redeliveries", "abandoned", "callbacksAttempted", "callbacksSucceeded", "binds", "bindAttempts", "connections", "unbinds",
];

/**
 * Append-only record of the simulator's traffic. Arrays are live (read them directly);
 * `snapshot()`/`toJSON()` give a deep copy; `waitFor()` resolves when a condition on it holds.
 */
export class Ledger {
  readonly mtAccepted: MtAcceptedEntry[] = [];
  readonly mtRejected: MtRejectedEntry[] = [];
  readonly duplicates: DuplicateEntry[] = [];
  readonly receiptsEmitted: DeliveryEmittedEntry[] = [];
  readonly receiptFates: ReceiptFateEntry[] = [];
  readonly receiptsAcked: DeliveryAckedEntry[] = [];
  readonly mosEmitted: DeliveryEmittedEntry[] = [];
  readonly mosAcked: DeliveryAckedEntry[] = [];
  readonly redeliveries: RedeliveryEntry[] = [];
  readonly abandoned: AbandonedEntry[] = [];
  readonly callbacksAttempted: CallbackAttemptEntry[] = [];
  readonly callbacksSucceeded: CallbackSucceededEntry[] = [];
  readonly binds: BindEntry[] = [];
  readonly bindAttempts: BindAttemptEntry[] = [];
  readonly connections: ConnectionEntry[] = [];
  readonly unbinds: UnbindEntry[] = [];
  readonly #events = new EventEmitter();
  #activeBinds: () => ActiveBind[] = () => [];

  /** Binds open right now (not part of the append-only record). */
  get activeBinds(): ActiveBind[] {
    return this.#activeBinds();
  }

  /** @internal the simulator tells the ledger where to read its open binds. */
  setActiveBindsSource(source: () => ActiveBind[]): void {
    this.#activeBinds = source;
  }

  /** Appends an entry and wakes waiters. */
  record<K extends ListKey>(list: K, entry: LedgerSnapshot[K][number]): void {
    (this[list] as LedgerSnapshot[K][number][]).push(entry);
    this.#events.emit("change");
  }

  /** @internal wakes waiters after a change that is not an append (a bind closing). */
  touch(): void {
    this.#events.emit("change");
  }

  /** Empties every list (between test cases sharing one simulator). */
  clear(): void {
    for (const k of LISTS) this[k].length = 0;
    this.#events.emit("change");
  }

  snapshot(): LedgerSnapshot {
    const out = {} as Record<string, unknown>;
    for (const k of LISTS) out[k] = this[k].map((e) => structuredClone(e));
    out.activeBinds = this.activeBinds;
    return out as unknown as LedgerSnapshot;
  }

  toJSON(): LedgerSnapshot {
    return this.snapshot();
  }

  /** Resolves with the ledger once `predicate` holds; rejects after `timeoutMs` (default 5000). */
  waitFor(predicate: (l: Ledger) => boolean, timeoutMs = 5000): Promise<Ledger> {
    if (predicate(this)) return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      const onChange = (): void => {
        if (!predicate(this)) return;
        done();
        resolve(this);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`ledger condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#events.off("change", onChange);
      };
      this.#events.on("change", onChange);
    });
  }
}

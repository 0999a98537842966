/**
 * The store's row and result types, shared by the Store interface (store.ts) and the SQL modules that
 * implement it (*-sql.ts): in a module of their own, so neither side imports the other.
 */
import type { Event, MessagePath, MessageReceipt, MessageSend, MessageStateName } from "../../contract/index.ts";

/** An event as stored, with its pull/stream position. */
export interface StoredEvent {
  readonly cursor: number;
  readonly event: Event;
}

/** Per event of an insert batch, in order. */
export type InsertResult =
  | { readonly inserted: true; readonly cursor: number }
  /** `previous`: not stored because its `unlessStored` key was (an MO's copy from the previous dedup bucket). */
  | { readonly inserted: false; readonly duplicate: true; readonly previous?: true };

/** An outbox row leased to one deliverer. */
export interface Delivery {
  readonly cursor: number;
  /** Attempts made before this one. */
  readonly attempts: number;
  readonly event: Event;
}

export type Settlement =
  | { readonly kind: "delivered" }
  | { readonly kind: "retry"; readonly attempts: number; readonly nextAt: number; readonly error: string }
  | { readonly kind: "dead"; readonly attempts: number; readonly error: string };

export interface MtSegment {
  /** As the SMSC gave it in submit_sm_resp. */
  readonly smscMessageId: string;
  readonly node?: string;
  readonly site?: string;
}

export interface SubmitRecord {
  readonly clientMessageId: string;
  /** One per segment, in segment order. */
  readonly segments: readonly MtSegment[];
}

export type ParkResult =
  | { readonly outcome: "parked" }
  | { readonly outcome: "duplicate" }
  /** Its submit was recorded meanwhile: stored correlated instead of parked. */
  | { readonly outcome: "stored"; readonly cursor: number; readonly clientMessageId: string };

/** One step of a correlation batch (`correlate`): park a receipt, record an MT's segments, or claim an MT id. */
export type CorrelationOp =
  | { readonly kind: "park"; readonly event: Event; readonly forms: readonly string[] }
  | { readonly kind: "submit"; readonly rec: SubmitRecord }
  | { readonly kind: "claim"; readonly clientMessageId: string; readonly owner: string; readonly staleMs: number };

/** Per op, in order: a park's outcome, the receipts a submit released (stored, correlated), or whether a claim was taken. */
export type CorrelationOpResult = ParkResult | StoredEvent[] | boolean;

/** A message's record as stored. */
export interface MessageRecord {
  readonly clientMessageId: string;
  readonly principal?: string;
  readonly path?: MessagePath;
  readonly send?: MessageSend;
  readonly state?: MessageStateName;
  readonly stateAt?: number;
  readonly receipts: MessageReceipt[];
}

/** A send to record: who sent which message by which path, and what it came to. */
export interface SendEntry {
  readonly clientMessageId: string;
  readonly principal: string;
  readonly path: MessagePath;
  readonly send: MessageSend;
}

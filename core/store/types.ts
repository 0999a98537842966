/**
 * The store's row and result types, shared by the Store interface (store.ts) and the SQL modules that
 * implement it (*-sql.ts): in a module of their own, so neither side imports the other.
 */
import type { Event, MessagePath, MessageReceipt, MessageSend, MessageStateName, SegmentRecord } from "../../contract/index.ts";

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
  /** Its place in the message, 0-based (default: its index in `SubmitRecord.segments`). */
  readonly segment?: number;
  /** As the SMSC gave it in submit_sm_resp. */
  readonly smscMessageId: string;
  readonly node?: string;
  readonly site?: string;
}

export interface SubmitRecord {
  readonly clientMessageId: string;
  /** The segments accepted by this send, in segment order (a resumed send: only the ones it sent). */
  readonly segments: readonly MtSegment[];
  /** How many segments the message has, and their concatenation reference (UDH). */
  readonly total?: number;
  readonly ref?: number;
  /** SHA-256 of the message (outbound/fingerprint.ts): a reuse of the id with another message is refused. */
  readonly fingerprint?: string;
}

/** An MT's record: its accepted segments in order; total, ref and fingerprint absent on records made before them. */
export interface MtSubmit {
  readonly segments: readonly (Required<Pick<MtSegment, "segment" | "smscMessageId">> & Pick<MtSegment, "node" | "site">)[];
  readonly total?: number;
  readonly ref?: number;
  readonly fingerprint?: string;
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
  /** A long MT sent over SMPP: its segments as recorded (absent: one segment, or not known to have more). */
  readonly segments?: SegmentRecord;
  readonly receipts: MessageReceipt[];
}

/** A send to record: who sent which message by which path, and what it came to. */
export interface SendEntry {
  readonly clientMessageId: string;
  readonly principal: string;
  readonly path: MessagePath;
  readonly send: MessageSend;
}

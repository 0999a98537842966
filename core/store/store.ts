/**
 * The durable store behind the inbox, outbox and correlation: one interface, two backends (sqlite file by
 * default, PostgreSQL when several cores share one inbox), chosen by URL. Migrations run at open.
 */
import type { Event } from "../../contract/index.ts";
import { dialectOf, openDb, type Db, type Dialect } from "./db.ts";
import { migrate } from "./migrations.ts";
import { eventsAfter, existingDedupKeys, hasAnyDedupKey, insertEvents, lastCursor } from "./events-sql.ts";
import { claimDeliveries, outboxBacklog, settleDelivery } from "./outbox-sql.ts";
import { findClientMessageId, findSubmit, parkReceipt, recordSubmit, releaseParked } from "./mt-sql.ts";

/** An event as stored, with its pull/stream position. */
export interface StoredEvent {
  readonly cursor: number;
  readonly event: Event;
}

/** Per event of an insert batch, in order. */
export type InsertResult = { readonly inserted: true; readonly cursor: number } | { readonly inserted: false; readonly duplicate: true };

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

export interface Store {
  readonly dialect: Dialect;
  /** Inserts a batch in ONE transaction (plus an outbox row each when the outbox is on); resolves after COMMIT. */
  insertEvents(events: readonly Event[], now: number): Promise<InsertResult[]>;
  hasAnyDedupKey(keys: readonly string[]): Promise<boolean>;
  /** The subset of `keys` already stored (committed). */
  existingDedupKeys(keys: readonly string[]): Promise<Set<string>>;
  /** Committed events with cursor > `after`, in cursor order. */
  eventsAfter(after: number, limit: number): Promise<StoredEvent[]>;
  lastCursor(): Promise<number>;
  /** Leases up to `limit` due outbox rows to `owner` until `now + leaseMs`. */
  claimDeliveries(owner: string, now: number, leaseMs: number, limit: number): Promise<Delivery[]>;
  /** Records the result of a delivery; false when the lease was lost meanwhile (nothing changed). */
  settleDelivery(cursor: number, owner: string, s: Settlement, now: number): Promise<boolean>;
  outboxBacklog(): Promise<{ pending: number; dead: number }>;
  /** Records an MT's segments; releases (stores, correlated) the parked receipts they match. */
  recordSubmit(rec: SubmitRecord, now: number): Promise<StoredEvent[]>;
  findClientMessageId(forms: readonly string[]): Promise<string | undefined>;
  /** The segments recorded for a client message id, in order; empty when it was never accepted. */
  findSubmit(clientMessageId: string): Promise<{ smscMessageId: string; node?: string; site?: string }[]>;
  /** Parks a receipt under its SMSC id forms, unless stored already or correlatable now (atomic). */
  parkReceipt(event: Event, forms: readonly string[], now: number): Promise<ParkResult>;
  /** Stores parked receipts that now correlate, and those parked before `olderThan` uncorrelated. */
  releaseParked(olderThan: number, now: number): Promise<{ correlated: StoredEvent[]; uncorrelated: StoredEvent[] }>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** PostgreSQL schema (created if missing). */
  readonly schema?: string;
  /** Create outbox rows for stored events (off when no webhook is configured: pull only). Default true. */
  readonly outbox?: boolean;
  readonly max?: number;
}

/** Opens the store behind `url` (`sqlite://path` or `postgres://…`) and migrates it. */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  dialectOf(url);
  const db = await openDb(url, opts);
  await migrate(db);
  return storeOn(db, opts.outbox ?? true);
}

function storeOn(db: Db, outbox: boolean): Store {
  return {
    dialect: db.dialect,
    insertEvents: (events, now) => db.write((tx) => insertEvents(tx, db.dialect, events, now, outbox)),
    hasAnyDedupKey: (keys) => hasAnyDedupKey(db.read, keys),
    existingDedupKeys: (keys) => existingDedupKeys(db.read, keys),
    eventsAfter: (after, limit) => eventsAfter(db.read, after, limit),
    lastCursor: () => lastCursor(db.read),
    claimDeliveries: (owner, now, leaseMs, limit) => db.write((tx) => claimDeliveries(tx, db.dialect, owner, now, leaseMs, limit)),
    settleDelivery: (cursor, owner, s, now) => db.write((tx) => settleDelivery(tx, cursor, owner, s, now)),
    outboxBacklog: () => outboxBacklog(db.read),
    recordSubmit: (rec, now) => db.write((tx) => recordSubmit(tx, db.dialect, rec, now, outbox)),
    findClientMessageId: (forms) => findClientMessageId(db.read, forms),
    findSubmit: (id) => findSubmit(db.read, id),
    parkReceipt: (event, forms, now) => db.write((tx) => parkReceipt(tx, db.dialect, event, forms, now, outbox)),
    releaseParked: (olderThan, now) => db.write((tx) => releaseParked(tx, db.dialect, olderThan, now, outbox)),
    ping: async () => {
      try {
        await db.read`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.close(),
  };
}

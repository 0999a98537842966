/**
 * The durable store behind the inbox, outbox and correlation: one interface, two backends (sqlite file by
 * default, PostgreSQL when several cores share one inbox), chosen by URL. Migrations run at open.
 */
import type { Event } from "../../contract/index.ts";
import { openDb, type Db, type OpenDbOptions, type Sql } from "./db.ts";
import { migrate } from "./migrations.ts";
import { eventsAfter, hasAnyDedupKey, insertEvents, lastCursor, pruneBefore } from "./events-sql.ts";
import { claimDeliveries, outboxBacklog, replayDead, settleDelivery } from "./outbox-sql.ts";
import { correlate, findClientMessageId, findSubmit, releaseMt, releaseParked } from "./mt-sql.ts";
import { feedAfter, findMessage, recordSends } from "./messages-sql.ts";
import { acceptMoPart, purgeDoneParts, releaseGroup, staleGroups, type AssembleGroup, type MoPartInput, type MoPartResult } from "./parts-sql.ts";
import type { CorrelationOp, CorrelationOpResult, Delivery, InsertResult, MessageRecord, MtSubmit, ParkResult, SendEntry, Settlement, StoredEvent, SubmitRecord } from "./types.ts";

export type { AssembleGroup, MoPartInput, MoPartResult, PartGroup, StoredPart } from "./parts-sql.ts";
export type { CorrelationOp, CorrelationOpResult, Delivery, InsertResult, MessageRecord, MtSegment, MtSubmit, ParkResult, SendEntry, Settlement, StoredEvent, SubmitRecord } from "./types.ts";

export interface Store {
  /**
   * Inserts a batch in ONE transaction (plus an outbox row each when the outbox is on); resolves after COMMIT.
   * `unlessStored[i]`, when given, is a second dedup key for events[i]: if it is stored (or is the key of an
   * event earlier in the batch), events[i] is a duplicate. Checked inside the transaction.
   */
  insertEvents(events: readonly Event[], now: number, unlessStored?: readonly (string | undefined)[]): Promise<InsertResult[]>;
  hasAnyDedupKey(keys: readonly string[]): Promise<boolean>;
  /** Committed events with cursor > `after`, in cursor order. */
  eventsAfter(after: number, limit: number): Promise<StoredEvent[]>;
  lastCursor(): Promise<number>;
  /** Leases up to `limit` due outbox rows to `owner` until `now + leaseMs`. */
  claimDeliveries(owner: string, now: number, leaseMs: number, limit: number): Promise<Delivery[]>;
  /** Records the result of a delivery; false when the lease was lost meanwhile (nothing changed). */
  settleDelivery(cursor: number, owner: string, s: Settlement, now: number): Promise<boolean>;
  outboxBacklog(): Promise<{ pending: number; dead: number }>;
  /** Un-dead-letters up to `limit` deliveries (longest dead first), due now with `attempts`; returns how many. */
  replayDead(now: number, limit: number, attempts: number): Promise<number>;
  findClientMessageId(forms: readonly string[]): Promise<string | undefined>;
  /** The record of a client message id: its accepted segments in order, total, ref, fingerprint; undefined when never accepted. */
  findSubmit(clientMessageId: string): Promise<MtSubmit | undefined>;
  /** Gives back `owner`'s claim on a client message id (claims are taken through `correlate`: outbound/send-once.ts). */
  releaseMt(clientMessageId: string, owner: string): Promise<void>;
  /**
   * Parks, submits and claims in ONE transaction, in order, each with the outcome it would have had alone. A park
   * stores its receipt under its SMSC id forms, unless stored already or correlatable now; a submit records an
   * MT's segments (ending its claim) and releases (stores, correlated) the parked receipts they match; a claim
   * takes an MT id for one core while it sends it (outbound/send-once.ts).
   */
  correlate(ops: readonly CorrelationOp[], now: number): Promise<CorrelationOpResult[]>;
  /** Stores parked receipts that now correlate, and those parked before `olderThan` uncorrelated. */
  releaseParked(olderThan: number, now: number): Promise<{ correlated: StoredEvent[]; uncorrelated: StoredEvent[] }>;
  /**
   * Stores one part of a concatenated MO (a duplicate part is a no-op); the part that completes its group also
   * stores the group's MO event, built by `assemble`, in the same transaction. Resolves after COMMIT.
   */
  acceptMoPart(part: MoPartInput, now: number, assemble: AssembleGroup): Promise<MoPartResult>;
  /**
   * Delivers (via `assemble`) the groups with a part pending since before `olderThan`, one transaction each, and
   * purges the tombstones of groups delivered before `doneBefore`. Answers what each released group gave.
   */
  releaseMoParts(olderThan: number, doneBefore: number, now: number, assemble: AssembleGroup): Promise<{ released: MoPartResult[]; purged: number }>;
  /**
   * Retention: deletes up to `limit` events stored before `before` that no delivery still needs, and up to
   * `limit` MT records made before it, in one transaction; answers how many of each went.
   */
  pruneBefore(before: number, limit: number): Promise<{ events: number; mtRecords: number }>;
  /** Records sends of messages in ONE transaction (see messages-sql.ts recordSends). */
  recordSends(entries: readonly SendEntry[], now: number): Promise<void>;
  /** A message's record and receipts (GET /v1/messages/:id); undefined when unknown. */
  findMessage(clientMessageId: string): Promise<MessageRecord | undefined>;
  /** A principal's receipts after `after` (a feed seq, not an event cursor): its scoped event stream. */
  feedAfter(principal: string, after: number, limit: number): Promise<StoredEvent[]>;
  /** The last bind attempt of core `instance` on `node` (the rebind floor across restarts). */
  lastBindAttempt(node: string, instance: string): Promise<number | undefined>;
  /** Records a bind attempt of core `instance` on `node` starting at `at` (committed before it connects; never moves back). */
  recordBindAttempt(node: string, instance: string, at: number): Promise<void>;
  /**
   * Writes asked for by traffic so far: MOs, receipts, MTs and webhook settlements, not the sweeps', the outbox's
   * idle polls or bind attempts. The retention sweep reads it to tell whether the hot paths wrote while it paused
   * (and then gives them more of the store's time).
   */
  hotWrites(): number;
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
  /** sqlite's fsync policy (see OpenDbOptions); default `full`. */
  readonly sqliteSynchronous?: "full" | "normal";
  /** sqlite writer's page cache, MiB (see OpenDbOptions); default 8. */
  readonly sqliteCacheMiB?: number;
  /** Warnings found while opening (see OpenDbOptions). */
  readonly log?: OpenDbOptions["log"];
}

/** Most MO-part tombstones purged per transaction. */
const PURGE_BATCH = 5_000;

/** Opens the store behind `url` (`sqlite://path` or `postgres://…`) and migrates it. */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  return storeOn(await openDb(url, opts), opts);
}

/** The store on an open `Db` (migrated first): how tests put a recording `Db` under the store's own code. */
export async function storeOn(db: Db, opts: Pick<OpenStoreOptions, "outbox"> = {}): Promise<Store> {
  await migrate(db);
  const outbox = opts.outbox ?? true;
  let hotWrites = 0;
  /** A write of the hot paths: counted for `hotWrites`. */
  const hot = <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => {
    hotWrites++;
    return db.write(fn);
  };
  return {
    insertEvents: (events, now, unlessStored) => hot((tx) => insertEvents(tx, db.dialect, events, now, outbox, unlessStored)),
    hasAnyDedupKey: (keys) => hasAnyDedupKey(db.read, keys),
    eventsAfter: (after, limit) => eventsAfter(db.read, after, limit),
    lastCursor: () => lastCursor(db.read),
    claimDeliveries: (owner, now, leaseMs, limit) => db.write((tx) => claimDeliveries(tx, db.dialect, owner, now, leaseMs, limit)),
    settleDelivery: (cursor, owner, s, now) => hot((tx) => settleDelivery(tx, cursor, owner, s, now)),
    outboxBacklog: () => outboxBacklog(db.read),
    replayDead: (now, limit, attempts) => db.write((tx) => replayDead(tx, now, limit, attempts)),
    findClientMessageId: (forms) => findClientMessageId(db.read, forms),
    findSubmit: (id) => findSubmit(db.read, id),
    releaseMt: (id, owner) => hot((tx) => releaseMt(tx, id, owner)),
    correlate: (ops, now) => hot((tx) => correlate(tx, db.dialect, ops, now, outbox)),
    releaseParked: (olderThan, now) => db.write((tx) => releaseParked(tx, db.dialect, olderThan, now, outbox)),
    acceptMoPart: (part, now, assemble) => hot((tx) => acceptMoPart(tx, db.dialect, part, now, outbox, assemble)),
    releaseMoParts: async (olderThan, doneBefore, now, assemble) => {
      const released: MoPartResult[] = [];
      for (const key of await staleGroups(db.read, olderThan, 1000)) {
        const r = await db.write((tx) => releaseGroup(tx, db.dialect, key, olderThan, now, outbox, assemble));
        if (r?.outcome === "completed") released.push(r); // not a group of repeated parts (nothing to deliver)
      }
      let purged = 0;
      for (let n = PURGE_BATCH; n === PURGE_BATCH; purged += n) n = await db.write((tx) => purgeDoneParts(tx, doneBefore, PURGE_BATCH));
      return { released, purged };
    },
    pruneBefore: (before, limit) => db.write((tx) => pruneBefore(tx, before, limit)),
    recordSends: (entries, now) => hot((tx) => recordSends(tx, db.dialect, entries, now)),
    feedAfter: (principal, after, limit) => feedAfter(db.read, principal, after, limit),
    findMessage: (id) => findMessage(db.read, id),
    lastBindAttempt: async (node, instance) => {
      const [r] = await db.read`SELECT attempted_at FROM bind_attempts WHERE node = ${node} AND instance = ${instance}`;
      return r ? Number(r.attempted_at) : undefined;
    },
    recordBindAttempt: (node, instance, at) =>
      db.write(async (tx) => {
        await tx`INSERT INTO bind_attempts (node, instance, attempted_at) VALUES (${node}, ${instance}, ${at})
                 ON CONFLICT (node, instance) DO UPDATE SET attempted_at = excluded.attempted_at WHERE bind_attempts.attempted_at < excluded.attempted_at`;
      }),
    hotWrites: () => hotWrites,
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

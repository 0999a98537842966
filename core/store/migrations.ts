/**
 * Versioned schema migrations, applied at start inside one write transaction (PostgreSQL: under an advisory
 * lock, so several cores starting together migrate once). Applying them again is a no-op.
 * Times are epoch milliseconds in BIGINT columns: the same in both dialects.
 */
import type { Db, Dialect, Sql } from "./db.ts";

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (d: Dialect) => string[];
}

const serial = (d: Dialect) => (d === "postgres" ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT");

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "inbox, outbox, mt records, parked receipts",
    up: (d) => [
      // cursor: the pull/stream position; AUTOINCREMENT (sqlite) / a sequence (PG) never reuse a value.
      `CREATE TABLE events (
         cursor ${serial(d)},
         id TEXT NOT NULL,
         dedup_key TEXT NOT NULL UNIQUE,
         type TEXT NOT NULL,
         stored_at BIGINT NOT NULL,
         body TEXT NOT NULL)`,
      `CREATE TABLE outbox (
         cursor BIGINT PRIMARY KEY REFERENCES events(cursor),
         attempts INTEGER NOT NULL DEFAULT 0,
         next_at BIGINT NOT NULL,
         lease_owner TEXT,
         lease_until BIGINT,
         dead_at BIGINT,
         last_error TEXT)`,
      `CREATE INDEX outbox_due ON outbox (next_at) WHERE dead_at IS NULL`,
      `CREATE TABLE mt_segments (
         smsc_form TEXT NOT NULL,
         client_message_id TEXT NOT NULL,
         segment INTEGER NOT NULL,
         smsc_message_id TEXT NOT NULL,
         node TEXT,
         site TEXT,
         created_at BIGINT NOT NULL,
         PRIMARY KEY (smsc_form, client_message_id, segment))`,
      `CREATE INDEX mt_segments_client ON mt_segments (client_message_id)`,
      `CREATE TABLE parked_receipts (
         dedup_key TEXT NOT NULL,
         smsc_form TEXT NOT NULL,
         parked_at BIGINT NOT NULL,
         body TEXT NOT NULL,
         PRIMARY KEY (dedup_key, smsc_form))`,
      `CREATE INDEX parked_form ON parked_receipts (smsc_form)`,
      `CREATE INDEX parked_at ON parked_receipts (parked_at)`,
    ],
  },
  {
    version: 2,
    name: "parts of concatenated MOs",
    // IF NOT EXISTS: harmless if a table of that name was made by hand before the version was recorded.
    // payload is hex (portable across both dialects); done_at set = the group was delivered, the rows stay as
    // tombstones so a late redelivered part is recognised (core/inbound/mo-parts.ts).
    up: () => [
      `CREATE TABLE IF NOT EXISTS mo_parts (
         part_key TEXT PRIMARY KEY,
         group_key TEXT NOT NULL,
         seq INTEGER NOT NULL,
         total INTEGER NOT NULL,
         from_addr TEXT NOT NULL,
         to_addr TEXT NOT NULL,
         data_coding INTEGER NOT NULL,
         payload TEXT NOT NULL,
         source TEXT NOT NULL,
         received_at BIGINT NOT NULL,
         done_at BIGINT)`,
      `CREATE INDEX IF NOT EXISTS mo_parts_group ON mo_parts (group_key)`,
      `CREATE INDEX IF NOT EXISTS mo_parts_pending ON mo_parts (received_at) WHERE done_at IS NULL`,
      `CREATE INDEX IF NOT EXISTS mo_parts_done ON mo_parts (done_at) WHERE done_at IS NOT NULL`,
    ],
  },
  {
    version: 3,
    name: "MT claims: one core sends a client message id at a time",
    // UNLOGGED on PostgreSQL: a claim only lives while one send is in flight, so it needs no WAL, and a
    // transaction that writes no WAL commits without waiting for a flush. A crash of the database empties
    // the table, which ends the claims of sends that crash interrupted anyway.
    up: (d) => [
      `CREATE ${d === "postgres" ? "UNLOGGED " : ""}TABLE IF NOT EXISTS mt_claims (
         client_message_id TEXT PRIMARY KEY,
         owner TEXT NOT NULL,
         claimed_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 4,
    name: "retention: MT records by age",
    up: () => [`CREATE INDEX IF NOT EXISTS mt_segments_created ON mt_segments (created_at)`],
  },
  {
    version: 5,
    name: "retention: events by age",
    // The sweep deletes the oldest events by stored_at; without this index each batch walked events by cursor,
    // and a sweep with nothing to prune read the whole table (test/core/store-plans.test.ts).
    up: () => [`CREATE INDEX IF NOT EXISTS events_stored ON events (stored_at)`],
  },
  {
    version: 6,
    name: "message records (GET /v1/messages/:id) and one-time stream tickets",
    // mt_messages: one row per client message id, made by its send record or its first receipt, whichever comes
    // first; state_rank orders states (contract stateRank) so the state never moves back. message_receipts: one
    // row per stored receipt event (cursor = the event's), read per message. stream_tickets: SHA-256 of a
    // one-time ticket for /v1/events/stream, taken (deleted) by its first use.
    up: () => [
      `CREATE TABLE IF NOT EXISTS mt_messages (
         client_message_id TEXT PRIMARY KEY,
         principal TEXT,
         path TEXT,
         send_status TEXT,
         send_body TEXT,
         state TEXT,
         state_rank INTEGER NOT NULL DEFAULT 0,
         state_at BIGINT,
         created_at BIGINT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS mt_messages_created ON mt_messages (created_at)`,
      `CREATE TABLE IF NOT EXISTS message_receipts (
         cursor BIGINT PRIMARY KEY,
         client_message_id TEXT NOT NULL,
         received_at BIGINT NOT NULL,
         body TEXT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS message_receipts_message ON message_receipts (client_message_id, cursor)`,
      `CREATE INDEX IF NOT EXISTS message_receipts_received ON message_receipts (received_at)`,
      `CREATE TABLE IF NOT EXISTS stream_tickets (
         ticket_hash TEXT PRIMARY KEY,
         principal TEXT NOT NULL,
         expires_at BIGINT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS stream_tickets_expiry ON stream_tickets (expires_at)`,
    ],
  },
  {
    version: 7,
    name: "principal feeds: a caller's scoped event stream",
    // One row per (principal, receipt event), appended when both are known; seq orders a scoped stream.
    // stream_tickets (6) goes: browsers follow the stream with their short-lived token, verified by the edge.
    up: (d) => [
      `CREATE TABLE IF NOT EXISTS principal_feed (
         seq ${serial(d)},
         principal TEXT NOT NULL,
         cursor BIGINT NOT NULL,
         at BIGINT NOT NULL,
         UNIQUE (principal, cursor))`,
      `CREATE INDEX IF NOT EXISTS principal_feed_seq ON principal_feed (principal, seq)`,
      `CREATE INDEX IF NOT EXISTS principal_feed_at ON principal_feed (at)`,
      `DROP TABLE IF EXISTS stream_tickets`,
    ],
  },
  {
    version: 8,
    name: "bind attempts: the rebind floor across restarts",
    // Each core instance's last bind attempt per SMSC node, written before the attempt connects: the same
    // instance restarted waits out the floor from it (core/binds/node-bind.ts). Per instance (its host name by
    // default): two cores sharing a store each keep their own binds and floors.
    up: () => [`CREATE TABLE IF NOT EXISTS bind_attempts (
       node TEXT NOT NULL,
       instance TEXT NOT NULL,
       attempted_at BIGINT NOT NULL,
       PRIMARY KEY (node, instance))`],
  },
  {
    version: 9,
    name: "MT records: segment count, concatenation reference and message fingerprint",
    // On each segment row (a handful per MT), so the record stays one table with one retention: total and ref let
    // a repeat of a partly sent id send only the missing segments under the same UDH; fingerprint (SHA-256 of the
    // message) tells a repeat from a reuse of the id for another message. NULL on older rows: taken as complete
    // and matching, as they were answered before.
    up: () => [
      `ALTER TABLE mt_segments ADD COLUMN total INTEGER`,
      `ALTER TABLE mt_segments ADD COLUMN ref INTEGER`,
      `ALTER TABLE mt_segments ADD COLUMN fingerprint TEXT`,
    ],
  },
  {
    version: 10,
    name: "outbox: dead letters by age",
    // Replaying dead letters takes the longest dead first (ORDER BY dead_at LIMIT n): keyed, not a walk of the
    // outbox, however many letters a long-broken webhook left dead. Partial: pending rows are outbox_due's.
    up: () => [`CREATE INDEX IF NOT EXISTS outbox_dead ON outbox (dead_at) WHERE dead_at IS NOT NULL`],
  },
];

/** Applies every migration not yet applied; returns the versions it applied. */
export async function migrate(db: Db, now: number = Date.now()): Promise<number[]> {
  return db.write(async (tx: Sql) => {
    if (db.dialect === "postgres") await tx`SELECT pg_advisory_xact_lock(40, 0)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;
    const done = new Set((await tx`SELECT version FROM schema_migrations`).map((r: { version: number }) => Number(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      for (const stmt of m.up(db.dialect)) await tx.unsafe(stmt);
      await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${now})`;
      applied.push(m.version);
    }
    return applied;
  });
}

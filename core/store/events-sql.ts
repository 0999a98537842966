/** Inbox queries: append events with dedup (and their outbox rows), pull by cursor. */
import type { Event } from "../../contract/index.ts";
import { lockAppend, type Dialect, type Sql } from "./db.ts";
import { pruneMessages, recordReceipts } from "./messages-sql.ts";
import type { InsertResult, StoredEvent } from "./types.ts";

/**
 * Appends events inside the caller's transaction. A dedup key already stored, or repeated earlier in the same
 * batch, is a duplicate; so is an event whose `unlessStored` key is stored or belongs to an earlier event of the
 * batch (checked here, on the writer, so two copies in one group commit cannot both be stored either).
 * Inserted events get an outbox row due now when `outbox` is on.
 */
export async function insertEvents(
  tx: Sql, dialect: Dialect, events: readonly Event[], now: number, outbox: boolean, unlessStored?: readonly (string | undefined)[],
): Promise<InsertResult[]> {
  if (events.length === 0) return [];
  const also = unlessStored?.filter((k): k is string => k !== undefined) ?? [];
  // Sent together (PostgreSQL pipelines them on the transaction's connection): the lookup still runs after
  // the lock is granted, but without a round trip of its own.
  const [, stored] = await Promise.all([lockAppend(tx, dialect), also.length > 0 ? existingDedupKeys(tx, also) : new Set<string>()]);
  const firstOf = new Map<string, number>();
  const previous = new Set<number>();
  events.forEach((e, i) => {
    const u = unlessStored?.[i];
    if (u !== undefined && (stored.has(u) || firstOf.has(u))) previous.add(i);
    else if (!firstOf.has(e.dedupKey)) firstOf.set(e.dedupKey, i);
  });
  const rows = [...firstOf.values()].map((i) => {
    const e = events[i]!;
    return { id: e.id, dedup_key: e.dedupKey, type: e.type, stored_at: now, body: JSON.stringify(e) };
  });
  const cursors = new Map<string, number>();
  if (dialect === "sqlite") {
    // One prepared single-row statement per row (bun:sqlite, no round trips): cheaper than preparing a
    // multi-row statement for every batch size (measured: test/bench/inbound.ts).
    for (const r of rows) {
      const [got] = await tx`INSERT INTO events (id, dedup_key, type, stored_at, body) VALUES (${r.id}, ${r.dedup_key}, ${r.type}, ${r.stored_at}, ${r.body})
                             ON CONFLICT (dedup_key) DO NOTHING RETURNING cursor`;
      if (got) cursors.set(r.dedup_key, Number(got.cursor));
    }
    if (outbox) for (const cursor of cursors.values()) await tx`INSERT INTO outbox (cursor, attempts, next_at) VALUES (${cursor}, 0, ${now})`;
  } else {
    // Chunked multi-row statements: one round trip per chunk.
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const got = await tx`INSERT INTO events ${tx(chunk)} ON CONFLICT (dedup_key) DO NOTHING RETURNING cursor, dedup_key`;
      for (const r of got as { cursor: number | string; dedup_key: string }[]) cursors.set(r.dedup_key, Number(r.cursor));
    }
    if (outbox && cursors.size > 0) {
      const out = [...cursors.values()].map((cursor) => ({ cursor, attempts: 0, next_at: now }));
      for (let i = 0; i < out.length; i += 5000) await tx`INSERT INTO outbox ${tx(out.slice(i, i + 5000))}`;
    }
  }
  // Receipts join their message's record in the same transaction (messages-sql.ts).
  await recordReceipts(tx, [...firstOf.values()].flatMap((i) => {
    const e = events[i]!;
    const cursor = cursors.get(e.dedupKey);
    return e.type === "message.status" && cursor !== undefined ? [{ cursor, event: e }] : [];
  }), now);
  return events.map((e, i): InsertResult => {
    if (previous.has(i)) return { inserted: false, duplicate: true, previous: true };
    const cursor = cursors.get(e.dedupKey);
    return firstOf.get(e.dedupKey) === i && cursor !== undefined ? { inserted: true, cursor } : { inserted: false, duplicate: true };
  });
}

export async function hasAnyDedupKey(sql: Sql, keys: readonly string[]): Promise<boolean> {
  if (keys.length === 0) return false;
  const rows = await sql`SELECT 1 AS x FROM events WHERE dedup_key IN ${sql(keys as string[])} LIMIT 1`;
  return rows.length > 0;
}

/** Which of `keys` are stored (one query; callers batch the keys of many lookups). */
export async function existingDedupKeys(sql: Sql, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await sql`SELECT dedup_key FROM events WHERE dedup_key IN ${sql(keys.slice(i, i + 1000) as string[])}`;
    for (const r of rows as { dedup_key: string }[]) found.add(r.dedup_key);
  }
  return found;
}

export async function eventsAfter(sql: Sql, after: number, limit: number): Promise<StoredEvent[]> {
  const rows = await sql`SELECT cursor, body FROM events WHERE cursor > ${after} ORDER BY cursor LIMIT ${limit}`;
  return (rows as { cursor: number | string; body: string }[]).map((r) => ({ cursor: Number(r.cursor), event: JSON.parse(r.body) as Event }));
}

export async function lastCursor(sql: Sql): Promise<number> {
  const [r] = await sql`SELECT MAX(cursor) AS c FROM events`;
  return Number(r?.c ?? 0);
}

/**
 * Deletes up to `limit` events stored before `before` that no delivery still needs (none pending or dead in
 * the outbox), oldest first, and up to `limit` MT records made before it. Answers how many of each went.
 */
export async function pruneBefore(tx: Sql, before: number, limit: number): Promise<{ events: number; mtRecords: number }> {
  // Ranges on events_stored and mt_segments_created, oldest first: a batch reads what it deletes (and the dead
  // letters among them), never the rest of the table.
  const events = await tx`DELETE FROM events WHERE cursor IN (
      SELECT e.cursor FROM events e WHERE e.stored_at < ${before}
        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.cursor = e.cursor)
      ORDER BY e.stored_at LIMIT ${limit}) RETURNING cursor`;
  const mt = await tx`DELETE FROM mt_segments WHERE (smsc_form, client_message_id, segment) IN (
      SELECT smsc_form, client_message_id, segment FROM mt_segments WHERE created_at < ${before} ORDER BY created_at LIMIT ${limit})
      RETURNING segment`;
  const messages = await pruneMessages(tx, before, limit);
  return { events: events.length, mtRecords: mt.length + messages };
}

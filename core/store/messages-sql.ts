/**
 * The message record behind `GET /v1/messages/:id`: one row per client message id (who sent it, by which path,
 * the send's outcome and attempts, the state so far) and one row per stored receipt. Receipts are recorded in
 * the transaction that stores their event (insertEvents), so the record and the event stream never disagree.
 * The state moves only up the contract's rank (`stateRank`), in one upsert whose WHERE refuses a lower rank:
 * two cores storing receipts of one message at once cannot regress it either.
 * Every query is served by an index on its key (test/core/message-status-store.test.ts EXPLAINs them).
 */
import { stateRank, type Event, type MessagePath, type MessageReceipt, type MessageSend, type MessageStateName } from "../../contract/index.ts";
import { lockAppend, type Dialect, type Sql } from "./db.ts";
import { findSubmit } from "./mt-sql.ts";
import type { MessageRecord, SendEntry, StoredEvent } from "./types.ts";

/** Most receipts one record answers (a message has a handful: one per segment and state). */
const MAX_RECEIPTS = 500;

function receiptOf(event: Extract<Event, { type: "message.status" }>): MessageReceipt {
  const d = event.data;
  const s = event.source;
  return {
    eventId: event.id,
    state: d.state,
    stateCode: d.stateCode,
    ...(d.errorCode !== undefined && { errorCode: d.errorCode }),
    ...(d.networkErrorCode !== undefined && { networkErrorCode: d.networkErrorCode }),
    ...(d.resultCode !== undefined && { resultCode: d.resultCode }),
    ...(d.smscMessageId !== undefined && { smscMessageId: d.smscMessageId }),
    receivedAt: event.receivedAt,
    ...(d.doneAt !== undefined && { doneAt: d.doneAt }),
    channel: s.channel,
    ...(s.site !== undefined && { site: s.site }),
    ...(s.node !== undefined && { node: s.node }),
  };
}

/**
 * Records the receipts among freshly stored events (`cursor` each) and moves their messages' states, inside the
 * caller's transaction. Receipts without a client message id (uncorrelated) have no record to join.
 */
export async function recordReceipts(tx: Sql, stored: readonly { cursor: number; event: Event }[], now: number): Promise<void> {
  const rows: { cursor: number; client_message_id: string; received_at: number; body: string }[] = [];
  // The highest rank per message in this batch: one upsert row per message (PostgreSQL refuses a
  // multi-row upsert that touches one row twice).
  const best = new Map<string, { state: MessageStateName; rank: number }>();
  for (const { cursor, event } of stored) {
    if (event.type !== "message.status" || event.data.clientMessageId === undefined) continue;
    const id = event.data.clientMessageId;
    rows.push({ cursor, client_message_id: id, received_at: now, body: JSON.stringify(receiptOf(event)) });
    const rank = stateRank(event.data.state);
    const b = best.get(id);
    if (!b || rank > b.rank) best.set(id, { state: event.data.state, rank });
  }
  if (rows.length === 0) return;
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await tx`INSERT INTO message_receipts ${tx(chunk)} ON CONFLICT DO NOTHING`;
    // Into the principal feed when the message's principal is known (else recordSends feeds them later).
    await tx`INSERT INTO principal_feed (principal, cursor, at)
             SELECT m.principal, r.cursor, ${now} FROM message_receipts r JOIN mt_messages m ON m.client_message_id = r.client_message_id
             WHERE r.cursor IN ${tx(chunk.map((r) => r.cursor))} AND m.principal IS NOT NULL
             ON CONFLICT (principal, cursor) DO NOTHING`;
  }
  const ups = [...best].map(([client_message_id, b]) => ({ client_message_id, state: b.state, state_rank: b.rank, state_at: now, created_at: now }));
  for (let i = 0; i < ups.length; i += 1000) {
    await tx`INSERT INTO mt_messages ${tx(ups.slice(i, i + 1000))}
             ON CONFLICT (client_message_id) DO UPDATE SET state = excluded.state, state_rank = excluded.state_rank, state_at = excluded.state_at
             WHERE mt_messages.state_rank < excluded.state_rank`;
  }
}

/**
 * Records sends, in order, inside the caller's transaction. The first principal to record a message keeps it (a
 * later caller reusing the id cannot take the record over); an accepted send is not replaced by a later one (a
 * repeat answered from the first record, or the same report told twice).
 */
export async function recordSends(tx: Sql, dialect: Dialect, entries: readonly SendEntry[], now: number): Promise<void> {
  // The feed rows below are appends, ordered like events' (lockAppend): a scoped stream never skips one.
  await lockAppend(tx, dialect);
  // One statement each (a multi-row upsert may not touch one row twice), sent together: PostgreSQL pipelines
  // them on the transaction's connection.
  await Promise.all(entries.map((e) => {
    const row = { client_message_id: e.clientMessageId, principal: e.principal, path: e.path, send_status: e.send.status, send_body: JSON.stringify(e.send), state_rank: 0, created_at: now };
    return tx`INSERT INTO mt_messages ${tx(row)}
             ON CONFLICT (client_message_id) DO UPDATE SET
               principal = COALESCE(mt_messages.principal, excluded.principal),
               path = COALESCE(mt_messages.path, excluded.path),
               send_body = CASE WHEN mt_messages.send_status = 'accepted' THEN mt_messages.send_body ELSE excluded.send_body END,
               send_status = CASE WHEN mt_messages.send_status = 'accepted' THEN mt_messages.send_status ELSE excluded.send_status END`;
  }));
  // Receipts stored before their message's principal was known join that principal's feed now.
  // The principal feed (a caller's scoped event stream, in seq order) takes a receipt once both it and its
  // message's principal are known, whichever came last: a receipt that beat its send record still reaches the
  // stream, with a later seq.
  for (const e of entries) {
    await tx`INSERT INTO principal_feed (principal, cursor, at)
             SELECT m.principal, r.cursor, ${now} FROM mt_messages m JOIN message_receipts r ON r.client_message_id = m.client_message_id
             WHERE m.client_message_id = ${e.clientMessageId} AND m.principal IS NOT NULL
             ON CONFLICT (principal, cursor) DO NOTHING`;
  }
}

/** A principal's feed after `after` (its seq), with the events: the scoped event stream's page. */
export async function feedAfter(sql: Sql, principal: string, after: number, limit: number): Promise<StoredEvent[]> {
  const rows = (await sql`SELECT f.seq, e.body FROM principal_feed f JOIN events e ON e.cursor = f.cursor
                          WHERE f.principal = ${principal} AND f.seq > ${after} ORDER BY f.seq LIMIT ${limit}`) as { seq: number | string; body: string }[];
  return rows.map((r) => ({ cursor: Number(r.seq), event: JSON.parse(r.body) as Event }));
}

/** The record of a client message id, receipts in the order they were stored; undefined when none. */
export async function findMessage(sql: Sql, clientMessageId: string): Promise<MessageRecord | undefined> {
  const [m] = (await sql`SELECT principal, path, send_body, state, state_at FROM mt_messages WHERE client_message_id = ${clientMessageId}`) as {
    principal: string | null; path: string | null; send_body: string | null; state: string | null; state_at: number | string | null;
  }[];
  if (!m) return undefined;
  const rs = (await sql`SELECT body FROM message_receipts WHERE client_message_id = ${clientMessageId} ORDER BY cursor LIMIT ${MAX_RECEIPTS}`) as { body: string }[];
  // A long MT's segments, for its aggregate state (a record from before segment counts is not known to be long).
  const submit = await findSubmit(sql, clientMessageId);
  const total = submit?.total ?? 1;
  return {
    clientMessageId,
    ...(m.principal !== null && { principal: m.principal }),
    ...(m.path !== null && { path: m.path as MessagePath }),
    ...(m.send_body !== null && { send: JSON.parse(m.send_body) as MessageSend }),
    ...(m.state !== null && { state: m.state as MessageStateName }),
    ...(m.state_at !== null && { stateAt: Number(m.state_at) }),
    ...(total > 1 && { segments: { total, accepted: submit!.segments } }),
    receipts: rs.map((r) => JSON.parse(r.body) as MessageReceipt),
  };
}

/** Retention: up to `limit` message records made before `before`, and up to `limit` receipts stored before it. */
export async function pruneMessages(tx: Sql, before: number, limit: number): Promise<number> {
  const gone = await tx`DELETE FROM mt_messages WHERE client_message_id IN (
      SELECT client_message_id FROM mt_messages WHERE created_at < ${before} ORDER BY created_at LIMIT ${limit}) RETURNING state_rank`;
  await tx`DELETE FROM message_receipts WHERE cursor IN (
      SELECT cursor FROM message_receipts WHERE received_at < ${before} ORDER BY received_at LIMIT ${limit})`;
  await tx`DELETE FROM principal_feed WHERE seq IN (
      SELECT seq FROM principal_feed WHERE at < ${before} ORDER BY at LIMIT ${limit})`;
  return gone.length;
}

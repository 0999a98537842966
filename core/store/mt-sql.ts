/**
 * MT records (client message id ↔ every segment's SMSC id forms) and parked receipts (receipts whose SMSC id
 * is not known yet). Parking and recording a submit lock the ids' forms, so they never miss each other.
 */
import { smscMessageIdForms, type Event } from "../../contract/index.ts";
import { lockForms, type Dialect, type Sql } from "./db.ts";
import { insertEvents } from "./events-sql.ts";
import type { CorrelationOp, CorrelationOpResult, MtSubmit, ParkResult, StoredEvent, SubmitRecord } from "./types.ts";

/** The receipt with our message id filled in; its id and dedup key stay the same. */
export function withClientMessageId(event: Event, clientMessageId: string): Event {
  return event.type === "message.status" ? { ...event, data: { ...event.data, clientMessageId } } : event;
}

/**
 * The client message id last recorded under any of `forms`. Every row of those forms is read by the primary
 * key (smsc_form first) and the latest picked here: an `ORDER BY created_at DESC LIMIT 1` lets PostgreSQL walk
 * mt_segments_created backwards filtering on the form instead, a scan of the table per receipt (it did,
 * whenever its statistics were missing or stale). The rows per form are the MTs that got that SMSC id within
 * the retention: one, or a few after an SMSC reused ids.
 */
async function lookup(sql: Sql, forms: readonly string[]): Promise<string | undefined> {
  if (forms.length === 0) return undefined;
  const rows = (await sql`SELECT client_message_id, created_at FROM mt_segments WHERE smsc_form IN ${sql(forms as string[])}`) as {
    client_message_id: string; created_at: number | string;
  }[];
  let latest: (typeof rows)[number] | undefined;
  for (const r of rows) if (latest === undefined || Number(r.created_at) > Number(latest.created_at)) latest = r;
  return latest?.client_message_id;
}

export const findClientMessageId = lookup;

/** An MT's record: its accepted segments in order (undefined when the id was never accepted). */
export async function findSubmit(sql: Sql, clientMessageId: string): Promise<MtSubmit | undefined> {
  const rows = (await sql`SELECT DISTINCT segment, smsc_message_id, node, site, total, ref, fingerprint FROM mt_segments
                          WHERE client_message_id = ${clientMessageId} ORDER BY segment`) as {
    segment: number; smsc_message_id: string; node: string | null; site: string | null; total: number | null; ref: number | null; fingerprint: string | null;
  }[];
  if (rows.length === 0) return undefined;
  const segments = rows.map((r) => ({ segment: Number(r.segment), smscMessageId: r.smsc_message_id, ...(r.node !== null && { node: r.node }), ...(r.site !== null && { site: r.site }) }));
  const total = rows.find((r) => r.total !== null)?.total;
  const ref = rows.find((r) => r.ref !== null)?.ref;
  const fingerprint = rows.find((r) => r.fingerprint !== null)?.fingerprint;
  return {
    segments: segments.filter((s, i) => i === 0 || s.segment !== segments[i - 1]!.segment),
    ...(total != null && { total: Number(total) }),
    ...(ref != null && { ref: Number(ref) }),
    ...(fingerprint != null && { fingerprint }),
  };
}

/**
 * Takes `clientMessageId` for `owner` (a core) while it sends it: true when taken, false while another owner
 * holds it. A claim made before `staleBefore` (its core died mid-send) is taken over.
 */
export async function claimMt(tx: Sql, clientMessageId: string, owner: string, now: number, staleBefore: number): Promise<boolean> {
  const rows = await tx`INSERT INTO mt_claims (client_message_id, owner, claimed_at) VALUES (${clientMessageId}, ${owner}, ${now})
                        ON CONFLICT (client_message_id) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at
                        WHERE mt_claims.claimed_at < ${staleBefore}
                        RETURNING owner`;
  return rows.length === 1;
}

/** Gives back `owner`'s claim on `clientMessageId` (another owner's is left alone). Recording the MT's segments ends it too. */
export async function releaseMt(tx: Sql, clientMessageId: string, owner: string): Promise<void> {
  await tx`DELETE FROM mt_claims WHERE client_message_id = ${clientMessageId} AND owner = ${owner}`;
}

async function store(tx: Sql, dialect: Dialect, events: Event[], now: number, outbox: boolean): Promise<StoredEvent[]> {
  const results = await insertEvents(tx, dialect, events, now, outbox);
  return events.flatMap((event, i) => {
    const r = results[i]!;
    return r.inserted ? [{ cursor: r.cursor, event }] : [];
  });
}

/**
 * Runs parks, submits and claims in ONE transaction, in order, with the same outcome each would have had in its own
 * transaction (group commit for the correlation path: one COMMIT, and on PostgreSQL every form lock taken
 * up front in one sorted, pipelined pass).
 */
export async function correlate(tx: Sql, dialect: Dialect, ops: readonly CorrelationOp[], now: number, outbox: boolean): Promise<CorrelationOpResult[]> {
  // Each submit's SMSC id forms, per segment: computed once, for the locks and for the rows.
  const segmentForms = ops.map((op) => (op.kind === "submit" ? op.rec.segments.map((s) => smscMessageIdForms(s.smscMessageId)) : []));
  await lockForms(tx, dialect, ops.flatMap((op, i) => (op.kind === "park" ? op.forms : segmentForms[i]!.flat())));
  const out: CorrelationOpResult[] = [];
  for (const [i, op] of ops.entries()) {
    if (op.kind === "park") out.push(await parkReceipt(tx, dialect, op.event, op.forms, now, outbox));
    else if (op.kind === "submit") out.push(await recordSubmit(tx, dialect, op.rec, segmentForms[i]!, now, outbox));
    else out.push(await claimMt(tx, op.clientMessageId, op.owner, now, now - op.staleMs));
  }
  return out;
}

/** Records an MT's segments (`segmentForms`: each one's SMSC id forms); the caller holds the form locks (`correlate`). */
async function recordSubmit(tx: Sql, dialect: Dialect, rec: SubmitRecord, segmentForms: readonly (readonly string[])[], now: number, outbox: boolean): Promise<StoredEvent[]> {
  const rows = rec.segments.flatMap((s, segment) =>
    segmentForms[segment]!.map((smsc_form) => ({
      smsc_form,
      client_message_id: rec.clientMessageId,
      segment: s.segment ?? segment,
      smsc_message_id: s.smscMessageId,
      node: s.node ?? null,
      site: s.site ?? null,
      created_at: now,
      total: rec.total ?? null,
      ref: rec.ref ?? null,
      fingerprint: rec.fingerprint ?? null,
    })),
  );
  if (rows.length === 0) return [];
  const forms = rows.map((r) => r.smsc_form);
  await tx`INSERT INTO mt_segments ${tx(rows)} ON CONFLICT DO NOTHING`;
  // Recorded: any core now finds the record before it would claim the id, so the claim is done with.
  await tx`DELETE FROM mt_claims WHERE client_message_id = ${rec.clientMessageId}`;
  // Two keyed statements (parked_form, then the primary key), the second only when a receipt waits: as one
  // DELETE … IN (SELECT …), PostgreSQL without statistics hashed all of parked_receipts.
  const waiting = (await tx`SELECT dedup_key FROM parked_receipts WHERE smsc_form IN ${tx(forms)}`) as { dedup_key: string }[];
  if (waiting.length === 0) return [];
  const parked = (await tx`DELETE FROM parked_receipts WHERE dedup_key IN ${tx([...new Set(waiting.map((w) => w.dedup_key))])}
      RETURNING dedup_key, body`) as { dedup_key: string; body: string }[];
  const unique = new Map(parked.map((p) => [p.dedup_key, p.body]));
  const events = [...unique.values()].map((b) => withClientMessageId(JSON.parse(b) as Event, rec.clientMessageId));
  return store(tx, dialect, events, now, outbox);
}

/** Parks a receipt under its SMSC id forms, unless stored already or correlatable now; the caller holds the form locks (`correlate`). */
async function parkReceipt(tx: Sql, dialect: Dialect, event: Event, forms: readonly string[], now: number, outbox: boolean): Promise<ParkResult> {
  const seen = await tx`SELECT 1 AS x FROM events WHERE dedup_key = ${event.dedupKey}`;
  if (seen.length > 0) return { outcome: "duplicate" };
  const clientMessageId = await lookup(tx, forms);
  if (clientMessageId !== undefined) {
    const [stored] = await store(tx, dialect, [withClientMessageId(event, clientMessageId)], now, outbox);
    return stored ? { outcome: "stored", cursor: stored.cursor, clientMessageId } : { outcome: "duplicate" };
  }
  const body = JSON.stringify(event);
  const rows = [...new Set(forms)].map((smsc_form) => ({ dedup_key: event.dedupKey, smsc_form, parked_at: now, body }));
  const got = await tx`INSERT INTO parked_receipts ${tx(rows)} ON CONFLICT DO NOTHING RETURNING dedup_key`;
  return got.length > 0 ? { outcome: "parked" } : { outcome: "duplicate" };
}

/** Most expired parked receipts (rows: one per form) released per sweep. */
const EXPIRE_BATCH = 5_000;

export async function releaseParked(tx: Sql, dialect: Dialect, olderThan: number, now: number, outbox: boolean) {
  // Correlatable now (a fallback: parking and recording already meet under the form locks), or expired. The
  // fallback visits every parked receipt (bounded by the park limit, not by the store) and looks its form up by
  // key, row by row: a join would let PostgreSQL hash all of mt_segments instead.
  const matched = (await tx`SELECT dedup_key, cmid FROM (SELECT p.dedup_key,
      (SELECT m.client_message_id FROM mt_segments m WHERE m.smsc_form = p.smsc_form LIMIT 1) AS cmid
      FROM parked_receipts p) AS c WHERE cmid IS NOT NULL`) as { dedup_key: string; cmid: string }[];
  const cmids = new Map(matched.map((m) => [m.dedup_key, m.cmid]));
  // Expired: the oldest, a bounded batch per sweep (a range on parked_at).
  const expired = (await tx`SELECT dedup_key FROM parked_receipts WHERE parked_at < ${olderThan} ORDER BY parked_at LIMIT ${EXPIRE_BATCH}`) as { dedup_key: string }[];
  const keys = [...new Set([...cmids.keys(), ...expired.map((e) => e.dedup_key)])];
  const correlated: Event[] = [];
  const uncorrelated: Event[] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    // Only what this DELETE removed: a concurrent recordSubmit may have released some of them already.
    const gone = (await tx`DELETE FROM parked_receipts WHERE dedup_key IN ${tx(keys.slice(i, i + 1000))} RETURNING dedup_key, body`) as { dedup_key: string; body: string }[];
    for (const [key, body] of new Map(gone.map((g) => [g.dedup_key, g.body]))) {
      const cmid = cmids.get(key);
      const event = JSON.parse(body) as Event;
      if (cmid !== undefined) correlated.push(withClientMessageId(event, cmid));
      else uncorrelated.push(event);
    }
  }
  return {
    correlated: await store(tx, dialect, correlated, now, outbox),
    uncorrelated: await store(tx, dialect, uncorrelated, now, outbox),
  };
}

/**
 * Parts of concatenated MOs (table mo_parts, migration 2). A part is committed before its deliver_sm_resp; the
 * part that completes its group assembles it, inserts the MO event (same insert and dedup path as the inbox)
 * and marks the group done, all in that part's transaction, under a per-group lock (two cores on one
 * PostgreSQL). Done rows stay as tombstones until purged, so a part redelivered after its group completed is
 * recognised (same payload) instead of starting a group of its own.
 */
import { toHex, type Event, type EventSource } from "../../contract/index.ts";
import { lockMoGroup, type Dialect, type Sql } from "./db.ts";
import { insertEvents } from "./events-sql.ts";

/** One part as the gateway hands it over. */
export interface MoPartInput {
  readonly groupKey: string;
  readonly seq: number;
  readonly total: number;
  readonly from: string;
  readonly to: string;
  readonly dataCoding: number;
  readonly payload: Uint8Array;
  readonly source: EventSource;
  /**
   * Known to be a redelivery of a part the core stored already (its deliver_sm_resp was lost, late or never
   * written; core/inbound/dispatcher.ts). Without it, a copy of a delivered group's part is a new message that
   * reuses the reference (docs/mo-duplicates.md).
   */
  readonly redelivery?: boolean;
}

/** One part as stored. */
export interface StoredPart {
  readonly seq: number;
  readonly dataCoding: number;
  readonly payload: Uint8Array;
  readonly source: EventSource;
  readonly receivedAt: number;
}

/** A group, complete or given up on, for the assembler. */
export interface PartGroup {
  readonly groupKey: string;
  readonly from: string;
  readonly to: string;
  readonly total: number;
  /** Distinct seqs, ascending. */
  readonly parts: readonly StoredPart[];
  /** Where the part that completed the group came from (the latest part's, for a group released incomplete). */
  readonly source: EventSource;
}

/**
 * Builds the MO event of a group, keyed by content; `previousKey` is the previous dedup bucket's key. When either
 * is stored already, the group is stored anyway as `again(first key)`: its own key, marked possibleDuplicate.
 */
export type AssembleGroup = (g: PartGroup, now: number) => { event: Event; previousKey?: string; again(firstKey: string): Event };

export type MoPartResult =
  /** Stored; the group still misses parts. */
  | { readonly outcome: "pending"; readonly have: number; readonly total: number }
  /**
   * This part was stored already (a pending part again, or a known redelivery of a delivered group's part); or,
   * from the sweep, a group never completed whose every part repeats a delivered group's part (nothing new).
   */
  | { readonly outcome: "duplicate" }
  /**
   * It completed its group and the MO event was stored; `possibleDuplicateOf` (an event id) when an MO with the
   * same content was stored in the window (stored anyway, marked).
   */
  | { readonly outcome: "completed"; readonly stored: boolean; readonly cursor?: number; readonly possibleDuplicateOf?: string };

/** Stores a part inside the caller's transaction; assembles its group when it is the last one missing. */
export async function acceptMoPart(tx: Sql, dialect: Dialect, p: MoPartInput, now: number, outbox: boolean, assemble: AssembleGroup): Promise<MoPartResult> {
  await lockMoGroup(tx, dialect, p.groupKey);
  const partKey = `${p.groupKey}|${p.seq}`;
  const payload = toHex(p.payload);
  const [old] = (await tx`SELECT payload, done_at FROM mo_parts WHERE part_key = ${partKey}`) as { payload: string; done_at: number | string | null }[];
  if (old) {
    // A pending part again: nothing new. (A pending part with other bytes under the same key would be an 8-bit
    // reference reused while the first group is incomplete: kept as the first.) A known redelivery of a delivered
    // group's part: nothing new either.
    if (old.done_at === null || (p.redelivery && old.payload === payload)) return { outcome: "duplicate" };
    // Otherwise a delivered group's key is reused for a new message (other bytes, or the same words sent again
    // and answered in time the first time): the delivered group's tombstones move aside (their key + "#done_at",
    // kept until purged, see releaseGroup) and this part starts a new group.
    await tx`UPDATE mo_parts SET part_key = part_key || ${"#"} || CAST(done_at AS TEXT), group_key = group_key || ${"#"} || CAST(done_at AS TEXT)
      WHERE group_key = ${p.groupKey} AND done_at IS NOT NULL`;
  }
  await tx`INSERT INTO mo_parts ${tx({
    part_key: partKey, group_key: p.groupKey, seq: p.seq, total: p.total, from_addr: p.from, to_addr: p.to,
    data_coding: p.dataCoding, payload, source: JSON.stringify(p.source), received_at: now, done_at: null,
  })}`;
  const { parts } = await pendingParts(tx, p.groupKey);
  if (parts.length < p.total) return { outcome: "pending", have: parts.length, total: p.total };
  return deliverGroup(tx, dialect, { groupKey: p.groupKey, from: p.from, to: p.to, total: p.total, parts, source: p.source }, now, outbox, assemble);
}

/** Inserts the group's MO event (unless a content duplicate) and marks its parts done, in the caller's transaction. */
async function deliverGroup(tx: Sql, dialect: Dialect, g: PartGroup, now: number, outbox: boolean, assemble: AssembleGroup): Promise<MoPartResult & { outcome: "completed" }> {
  const { event, previousKey, again } = assemble(g, now);
  await tx`UPDATE mo_parts SET done_at = ${now} WHERE group_key = ${g.groupKey} AND done_at IS NULL`;
  const [r] = await insertEvents(tx, dialect, [event], now, outbox, [previousKey]);
  if (r?.inserted) return { outcome: "completed", stored: true, cursor: r.cursor };
  // The same content stored in the window: a different group (a known redelivery's parts never get here), so
  // it is stored too, marked, for the application to decide.
  const first = r?.previous && previousKey !== undefined ? previousKey : event.dedupKey;
  const marked = again(first);
  const [m] = await insertEvents(tx, dialect, [marked], now, outbox);
  if (!m?.inserted) throw new Error("a fresh dedup key was found stored"); // cannot happen: the key is new
  return { outcome: "completed", stored: true, cursor: m.cursor, possibleDuplicateOf: (marked.data as { duplicateOf?: string }).duplicateOf };
}

/** Whether every part of a group repeats, byte for byte, a part of a delivered group under the same key (moved aside). */
async function repeatsDelivered(tx: Sql, groupKey: string, parts: readonly StoredPart[]): Promise<boolean> {
  for (const x of parts) {
    const partKey = `${groupKey}|${x.seq}`;
    // The moved-aside tombstones of this part: keys partKey + "#" + done_at, a range ("$" follows "#").
    const rows = (await tx`SELECT payload FROM mo_parts WHERE part_key > ${`${partKey}#`} AND part_key < ${`${partKey}$`}`) as { payload: string }[];
    const hex = toHex(x.payload);
    if (!rows.some((r) => r.payload === hex)) return false;
  }
  return true;
}

/** A group's pending parts, and its sender, recipient and count (the same on every row: they are in the key). */
async function pendingParts(tx: Sql, groupKey: string): Promise<{ parts: StoredPart[]; head?: { from: string; to: string; total: number } }> {
  const rows = (await tx`SELECT seq, data_coding, payload, source, received_at, from_addr, to_addr, total FROM mo_parts
    WHERE group_key = ${groupKey} AND done_at IS NULL ORDER BY seq`) as {
    seq: number; data_coding: number; payload: string; source: string; received_at: number | string; from_addr: string; to_addr: string; total: number | string;
  }[];
  const parts = rows.map((r) => ({
    seq: Number(r.seq),
    dataCoding: Number(r.data_coding),
    payload: new Uint8Array(Buffer.from(r.payload, "hex")),
    source: JSON.parse(r.source) as EventSource,
    receivedAt: Number(r.received_at),
  }));
  const h = rows[0];
  return h ? { parts, head: { from: h.from_addr, to: h.to_addr, total: Number(h.total) } } : { parts };
}

/** Groups with a part pending since before `olderThan` (committed read; each is re-checked under its lock). */
export async function staleGroups(sql: Sql, olderThan: number, limit: number): Promise<string[]> {
  // The oldest pending parts, a range on mo_parts_pending (a GROUP BY in SQL has sqlite walk mo_parts_group
  // instead); their groups in order of first appearance are the groups by age of their oldest part.
  const rows = await sql`SELECT group_key FROM mo_parts WHERE done_at IS NULL AND received_at < ${olderThan}
    ORDER BY received_at LIMIT ${limit * 4}`;
  return [...new Set((rows as { group_key: string }[]).map((r) => r.group_key))].slice(0, limit);
}

/** Delivers what arrived of one stale group, if it is still pending and still stale (another core may have). */
export async function releaseGroup(tx: Sql, dialect: Dialect, groupKey: string, olderThan: number, now: number, outbox: boolean, assemble: AssembleGroup): Promise<MoPartResult | undefined> {
  await lockMoGroup(tx, dialect, groupKey);
  const { parts, head } = await pendingParts(tx, groupKey);
  if (!head) return undefined;
  if (Math.min(...parts.map((x) => x.receivedAt)) >= olderThan) return undefined;
  if (await repeatsDelivered(tx, groupKey, parts)) {
    // Copies of parts of a delivered group, never completed: an SMSC's stray repeat (or a redelivery the core
    // could not tell, on another core or after a restart). Every word was delivered already: nothing to deliver.
    await tx`UPDATE mo_parts SET done_at = ${now} WHERE group_key = ${groupKey} AND done_at IS NULL`;
    return { outcome: "duplicate" };
  }
  const latest = parts.reduce((a, b) => (b.receivedAt >= a.receivedAt ? b : a));
  return deliverGroup(tx, dialect, { groupKey, ...head, parts, source: latest.source }, now, outbox, assemble);
}

/** Deletes up to `limit` tombstones of groups delivered before `doneBefore`, oldest first (a range on mo_parts_done). */
export async function purgeDoneParts(tx: Sql, doneBefore: number, limit: number): Promise<number> {
  const rows = await tx`DELETE FROM mo_parts WHERE part_key IN (SELECT part_key FROM mo_parts
    WHERE done_at IS NOT NULL AND done_at < ${doneBefore} ORDER BY done_at LIMIT ${limit}) RETURNING part_key`;
  return rows.length;
}

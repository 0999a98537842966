/** Outbox queries: lease due deliveries to one owner, settle them, count the backlog. */
import type { Event } from "../../contract/index.ts";
import { claimDue, type Dialect, type Sql } from "./db.ts";
import type { Delivery, Settlement } from "./types.ts";

export async function claimDeliveries(tx: Sql, dialect: Dialect, owner: string, now: number, leaseMs: number, limit: number): Promise<Delivery[]> {
  const claimed = (await claimDue(tx, dialect, owner, now, now + leaseMs, limit)) as { cursor: number | string; attempts: number | string }[];
  if (claimed.length === 0) return [];
  const cursors = claimed.map((r) => Number(r.cursor));
  const bodies = (await tx`SELECT cursor, body FROM events WHERE cursor IN ${tx(cursors)}`) as { cursor: number | string; body: string }[];
  const byCursor = new Map(bodies.map((b) => [Number(b.cursor), b.body]));
  return claimed
    .map((r) => ({ cursor: Number(r.cursor), attempts: Number(r.attempts), event: JSON.parse(byCursor.get(Number(r.cursor))!) as Event }))
    .sort((a, b) => a.cursor - b.cursor);
}

export async function settleDelivery(tx: Sql, cursor: number, owner: string, s: Settlement, now: number): Promise<boolean> {
  let rows;
  switch (s.kind) {
    case "delivered":
      rows = await tx`DELETE FROM outbox WHERE cursor = ${cursor} AND lease_owner = ${owner} RETURNING cursor`;
      break;
    case "retry":
      rows = await tx`UPDATE outbox SET attempts = ${s.attempts}, next_at = ${s.nextAt}, lease_owner = NULL, lease_until = NULL,
                        last_error = ${s.error.slice(0, 500)} WHERE cursor = ${cursor} AND lease_owner = ${owner} RETURNING cursor`;
      break;
    case "dead":
      rows = await tx`UPDATE outbox SET attempts = ${s.attempts}, dead_at = ${now}, lease_owner = NULL, lease_until = NULL,
                        last_error = ${s.error.slice(0, 500)} WHERE cursor = ${cursor} AND lease_owner = ${owner} RETURNING cursor`;
      break;
  }
  return rows.length > 0;
}

export async function outboxBacklog(sql: Sql): Promise<{ pending: number; dead: number }> {
  const [r] = await sql`SELECT SUM(CASE WHEN dead_at IS NULL THEN 1 ELSE 0 END) AS pending,
                               SUM(CASE WHEN dead_at IS NULL THEN 0 ELSE 1 END) AS dead FROM outbox`;
  return { pending: Number(r?.pending ?? 0), dead: Number(r?.dead ?? 0) };
}

/**
 * Un-dead-letters up to `limit` deliveries, longest dead first: due now, with `attempts` set (0: the whole
 * retry schedule again; maxAttempts - 1: one more attempt). Returns how many.
 */
export async function replayDead(tx: Sql, now: number, limit: number, attempts: number): Promise<number> {
  const rows = await tx`UPDATE outbox SET dead_at = NULL, next_at = ${now}, attempts = ${attempts}
                          WHERE cursor IN (SELECT cursor FROM outbox WHERE dead_at IS NOT NULL ORDER BY dead_at LIMIT ${limit})
                          RETURNING cursor`;
  return rows.length;
}

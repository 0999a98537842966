/**
 * Cost flat whatever PostgreSQL's statistics say. A core that started on a new store (its tables ANALYZEd while
 * empty, or as small as parked_receipts and mt_claims usually are) caches one generic plan per prepared
 * statement after 5 custom ones, costed on those sizes: a sequential scan looks free. Once the tables grow, that
 * plan walks them on every MT until an ANALYZE invalidates it (never, with autovacuum off or behind): with the
 * session defaults, 8 MTs after a fill of 1M rows scanned mt_segments and mt_messages 32 times each, events 8
 * times (test/bench/field-scale.ts saw MTs at 77-88 % at 10M rows). The store's sessions run with
 * enable_seqscan off (core/store/db.ts): the scan counters of every table must not move.
 */
import { afterAll, expect, test } from "bun:test";
import { SQL } from "bun";
import { dropSchema, openDb, type Db } from "../../core/store/db.ts";
import { openStore, storeOn, type Store } from "../../core/store/store.ts";
import { PG_URL } from "./helpers/stores.ts";
import { fill, mtRound } from "./helpers/store-hot-ops.ts";

const schema = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
const admin = new SQL({ url: PG_URL, max: 1, connection: { search_path: schema } });
let store: Store;
let db: Db | undefined;

/** Sequential scans per table of the schema so far. */
async function seqScans(): Promise<Map<string, number>> {
  await admin`SELECT pg_stat_clear_snapshot()`;
  const rows = (await admin`SELECT relname, seq_scan FROM pg_stat_user_tables WHERE schemaname = ${schema}`) as { relname: string; seq_scan: string }[];
  return new Map(rows.map((r) => [r.relname, Number(r.seq_scan)]));
}

afterAll(async () => {
  await db?.close();
  await admin.close();
  await dropSchema(PG_URL, schema);
});

test("plans cached while the tables were small and analyzed empty, then 1M rows: the store's connections never scan a table", async () => {
  const migrated = await openStore(PG_URL, { schema }); // every table empty
  await migrated.close();
  await admin.unsafe("ANALYZE"); // statistics of the empty tables
  // The store's own connection code (openDb), on one connection, so its counters can be flushed on demand.
  db = await openDb(PG_URL, { schema, max: 1 });
  store = await storeOn(db, { outbox: false }); // the fill has outbox rows of its own
  // Past PostgreSQL's 5 custom plans per statement: from here on the connection runs its cached generic plans.
  for (let i = 0; i < 8; i++) await mtRound(store, i);
  await admin.begin(async (tx) => {
    for (const stmt of fill("postgres")) await tx.unsafe(stmt);
  });
  const before = await seqScans();
  for (let i = 8; i < 16; i++) await mtRound(store, i);
  // The session's counters reach the shared statistics at its next transaction's end (PostgreSQL 15 or later).
  await db.read`SELECT pg_stat_force_next_flush()`;
  await db.read`SELECT 1`;
  const after = await seqScans();
  expect(after.size).toBeGreaterThan(10);
  const walks = [...after].filter(([t, n]) => n > (before.get(t) ?? 0)).map(([t, n]) => `${t}: ${n - (before.get(t) ?? 0)} sequential scans`);
  expect(walks).toEqual([]);
}, 120_000);

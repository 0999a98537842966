/**
 * Cost flat in store size: a store filled (in SQL) with 1M MT segments and 1M events, plus outbox rows,
 * parked receipts, concatenated-MO parts and MT claims, runs every hot operation through the store's own code
 * on a recording Db; each statement it issued is then EXPLAINed with its own bound values. A sequential scan,
 * or an index walked without a condition on its key (the 22× PostgreSQL receipt collapse: mt_segments_created
 * walked backwards, filtering on smsc_form), fails the test, on sqlite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { smscMessageIdForms, type Event } from "../../contract/index.ts";
import { Database } from "bun:sqlite";
import { liteSql } from "../../core/store/sqlite.ts";
import { dropSchema, openDb, type Db, type Sql } from "../../core/store/db.ts";
import { storeOn, type Store } from "../../core/store/store.ts";
import type { PartGroup } from "../../core/store/store.ts";
import { recordingDb, rerun, textOf, type Recorded } from "./helpers/recording-db.ts";
import { BACKENDS, PG_URL, type BackendName } from "./helpers/stores.ts";
import { mo, receipt } from "./helpers/events.ts";
import { bulkRows, hexOf, series } from "./helpers/store-fill.ts";

const N = 1_000_000;
/** Rows of the smaller tables (outbox, parked receipts, MO parts, claims). */
const M = 100_000;
const STEP = 2_700; // ms between two stored rows: N rows span ~31 days, so the retention sweep has ~4% to prune
const BASE = Date.UTC(2026, 0, 1);
const NOW = BASE + N * STEP;
const DAY = 86_400_000;
const RETAIN_BEFORE = NOW - 30 * DAY;

/** The fill, one statement each, generated in SQL: `g` runs 1..N (or 1..M). */
function fill(d: BackendName): string[] {
  const rows = (n: number) => series(d, n);
  const hex = (x: string) => hexOf(d, x);
  return [
    ...bulkRows(d, { mtSegments: N, events: N, from: BASE, stepMs: STEP }),
    // Parked receipts of the last 100 s (none expired, none correlatable), dead letters scattered through the old events, and the newest M/10 pending.
    `INSERT INTO outbox (cursor, attempts, next_at, dead_at, last_error)
       SELECT g * 10, 12, ${BASE} + g * ${STEP} * 10, ${BASE} + g * ${STEP} * 10, 'gone' FROM ${rows(M)}`,
    `INSERT INTO outbox (cursor, attempts, next_at) SELECT ${N} - g, 0, ${NOW} - g FROM ${rows(M / 10)} WHERE (${N} - g) % 10 <> 0`,
    `INSERT INTO parked_receipts (dedup_key, smsc_form, parked_at, body)
       SELECT 'dr:fill-' || g, 'pk' || ${hex("g")}, ${NOW} - g, '{}' FROM ${rows(M)}`,
    `INSERT INTO mo_parts (part_key, group_key, seq, total, from_addr, to_addr, data_coding, payload, source, received_at, done_at)
       SELECT 'grp-' || (g / 2) || '|' || (g % 2 + 1), 'grp-' || (g / 2), g % 2 + 1, 2, '+1202555', '12345', 0, '6869', '{}',
              ${NOW} - g * 100, CASE WHEN g > 1000 THEN ${NOW} - g * 100 END FROM ${rows(M)}`,
    `INSERT INTO mt_claims (client_message_id, owner, claimed_at) SELECT 'claim-' || g, 'core-x', ${NOW} - g FROM ${rows(M)}`,
    // Message records (GET /v1/messages/:id), recent, and two receipts each.
    `INSERT INTO mt_messages (client_message_id, principal, path, send_status, send_body, state, state_rank, state_at, created_at)
       SELECT 'cm-' || g, 'key:a', 'http', 'accepted', '{}', 'DELIVERED', 10, ${NOW} - g, ${NOW} - g FROM ${rows(M)}`,
    `INSERT INTO message_receipts (cursor, client_message_id, received_at, body)
       SELECT ${N} + g, 'cm-' || (g / 2), ${NOW} - g, '{}' FROM ${rows(M)}`,
    `INSERT INTO principal_feed (principal, cursor, at) SELECT 'key:' || (g % 100), ${N} + g, ${NOW} - g FROM ${rows(M)}`,
  ];
}

/**
 * The one walk allowed: the parked-receipt sweep's fallback visits every parked receipt (their number is bounded
 * by the park limit, not by the store's size); its lookups into mt_segments must still be keyed.
 */
const BOUNDED_WALKS = /FROM parked_receipts p\b/;

/** Why a plan is not served by an index on its key, or undefined when it is. */
type Verdict = string | undefined;

/** PostgreSQL (EXPLAIN FORMAT JSON): a Seq Scan, or an Index (Only) Scan without an Index Cond (a walk). */
function judgePg(plan: Record<string, unknown>): Verdict {
  const type = plan["Node Type"] as string;
  const rel = plan["Relation Name"] as string | undefined;
  if (type === "Seq Scan") return `Seq Scan on ${rel}`;
  if ((type === "Index Scan" || type === "Index Only Scan") && plan["Index Cond"] === undefined)
    return `${type} ${plan["Scan Direction"] ?? ""} on ${rel} using ${plan["Index Name"]} with no Index Cond (filter: ${plan["Filter"] ?? "none"})`;
  for (const sub of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) {
    const v = judgePg(sub);
    if (v) return v;
  }
  return undefined;
}

/** sqlite (EXPLAIN QUERY PLAN): any SCAN of a table (with or without an index: a walk); SEARCH is keyed. */
function judgeSqlite(details: string[]): Verdict {
  return details.find((d) => /^SCAN (?!CONSTANT ROW)(?!\(subquery)(?!\d+-ROW VALUES CLAUSE)/.test(d));
}

/** EXPLAINs `r` on `planner` (EXPLAIN executes nothing, writes included): PostgreSQL's pool, or a sqlite connection of its own. */
async function explain(planner: Sql, dialect: BackendName, r: Recorded): Promise<{ verdict: Verdict; plan: string }> {
  if (dialect === "postgres") {
    const [row] = await rerun(planner, r, "EXPLAIN (FORMAT JSON) ");
    const json = row!["QUERY PLAN"];
    const plan = (typeof json === "string" ? JSON.parse(json) : json)[0].Plan as Record<string, unknown>;
    return { verdict: judgePg(plan), plan: JSON.stringify(plan) };
  }
  const details = ((await rerun(planner, r, "EXPLAIN QUERY PLAN ")) as { detail: string }[]).map((x) => x.detail);
  return { verdict: judgeSqlite(details), plan: details.join(" | ") };
}

/** Every hot operation once, with values that hit existing and missing keys. */
async function exercise(store: Store): Promise<void> {
  const formsOf = (id: number) => smscMessageIdForms(String(id));
  // Receipt correlation (the committed read, then the park path: unknown id → parked; known → stored).
  expect(await store.findClientMessageId(formsOf(500_001))).toEqual(expect.any(String));
  expect(await store.findClientMessageId(formsOf(9_000_000_001))).toBeUndefined();
  const unknown = await receipt("9000000002");
  const known = await receipt("500003");
  // MT records: a submit (releasing a parked receipt of its id), a claim, a claim's release, a lookup.
  const r = await store.correlate(
    [
      { kind: "park", event: unknown, forms: formsOf(9_000_000_002) },
      { kind: "park", event: known, forms: formsOf(500_003) },
      { kind: "submit", rec: { clientMessageId: "cm-new-1", segments: [{ smscMessageId: "9000000002", node: "smc1.dc3", site: "dc3" }] } },
      { kind: "claim", clientMessageId: "cm-new-2", owner: "core-a", staleMs: 60_000 },
    ],
    NOW,
  );
  expect(r.slice(0, 2)).toEqual([{ outcome: "parked" }, { outcome: "stored", cursor: expect.any(Number), clientMessageId: expect.any(String) }]);
  await store.releaseMt("cm-new-2", "core-a");
  expect((await store.findSubmit("cm-250000"))?.segments.length).toBe(2);
  // Event insert and dedup (an id'd MO, a content MO with its previous bucket's key), the MO dedup window.
  const a = await mo("plan-1");
  const b = await mo("plan-2");
  expect((await store.insertEvents([a, b], NOW, [undefined, "mo:id:g-fill-77"])).map((x) => x.inserted)).toEqual([true, false]);
  expect(await store.hasAnyDedupKey(["mo:id:g-fill-5", "nope"])).toBe(true);
  // Pull / stream reads.
  expect((await store.eventsAfter(N - 5, 100)).length).toBeGreaterThan(0);
  expect(await store.lastCursor()).toBeGreaterThan(N);
  // Outbox lease and delivery (each settlement).
  const leased = await store.claimDeliveries("core-a", NOW, 30_000, 3);
  expect(leased.length).toBe(3);
  await store.settleDelivery(leased[0]!.cursor, "core-a", { kind: "delivered" }, NOW);
  await store.settleDelivery(leased[1]!.cursor, "core-a", { kind: "retry", attempts: 1, nextAt: NOW + 1000, error: "503" }, NOW);
  await store.settleDelivery(leased[2]!.cursor, "core-a", { kind: "dead", attempts: 12, error: "410" }, NOW);
  // Concatenated parts: a new group's first part, its completion, a redelivery; the stale sweep.
  const assemble = (g: PartGroup, now: number) => ({
    event: { ...a, id: `asm-${g.groupKey}`, dedupKey: `mo:asm:${g.groupKey}:${now}` } as Event,
    again: (k: string) => ({ ...a, id: `asm-again-${k}`, dedupKey: `mo:asm:${g.groupKey}:${now}:again` }) as Event,
  });
  const part = (seq: number) => ({ groupKey: "grp-new", seq, total: 2, from: "+1202555", to: "12345", dataCoding: 0, payload: new Uint8Array([104, 105]), source: a.source });
  expect((await store.acceptMoPart(part(1), NOW, assemble)).outcome).toBe("pending");
  expect((await store.acceptMoPart(part(2), NOW, assemble)).outcome).toBe("completed");
  expect((await store.acceptMoPart({ ...part(2), redelivery: true }, NOW, assemble)).outcome).toBe("duplicate");
  // The reference reused (tombstones moved aside), received long enough ago for the sweep below: a group of
  // repeated parts, released with nothing delivered (the filled pending parts are all younger: left pending).
  expect((await store.acceptMoPart(part(2), NOW - 200_000, assemble)).outcome).toBe("pending");
  await store.releaseMoParts(NOW - 150_000, NOW - 9_900_000, NOW, assemble);
  await store.releaseMoParts(NOW - 50_000, NOW - 9_900_000, NOW, assemble);
  // Message records: sends recorded (new and known ids), a receipt joining its record, a record read back.
  const sent = { status: "accepted" as const, at: new Date(NOW).toISOString(), attempts: [] };
  await store.recordSends([{ clientMessageId: "cm-77", principal: "key:a", path: "http", send: sent }, { clientMessageId: "cm-new-3", principal: "core", path: "smpp", send: sent }], NOW);
  const dr = await receipt("500005");
  const joined = { ...dr, data: { ...(dr.data as object), clientMessageId: "cm-79" } } as Event;
  expect((await store.insertEvents([joined], NOW)).map((x) => x.inserted)).toEqual([true]);
  expect((await store.findMessage("cm-79"))?.receipts.length).toBeGreaterThan(0);
  await store.feedAfter("key:7", 50, 200); // a caller's scoped event stream
  // The parked-receipt sweep and the retention sweep.
  await store.releaseParked(NOW - 600_000, NOW);
  const pruned = await store.pruneBefore(RETAIN_BEFORE, 1000);
  expect(pruned).toEqual({ events: 1000, mtRecords: 1000 });
}

for (const name of BACKENDS) {
  describe(`store plans at 1M rows (${name})`, () => {
    let dir: string | undefined;
    let schema: string | undefined;
    let db: Db;
    let planner: Sql;
    let plannerDb: Database | undefined;
    const log: Recorded[] = [];
    let store: Store;

    beforeAll(async () => {
      if (name === "sqlite") {
        dir = mkdtempSync(join(tmpdir(), "gsh-plans-"));
        db = await openDb(`sqlite://${join(dir, "core.sqlite")}`);
        plannerDb = new Database(join(dir, "core.sqlite"));
        planner = liteSql(plannerDb) as unknown as Sql;
      } else {
        schema = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
        db = await openDb(PG_URL, { schema });
        planner = db.read;
      }
      store = await storeOn(recordingDb(db, log));
      await db.write(async (tx) => {
        for (const stmt of fill(name)) await tx.unsafe(stmt);
      });
      log.length = 0;
    }, 120_000);

    afterAll(async () => {
      plannerDb?.close();
      await store?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(PG_URL, schema);
    });

    /** Each distinct statement the store issued, EXPLAINed; what is not served by an index on its key. */
    async function unkeyed(): Promise<string[]> {
      const seen = new Map<string, Recorded>();
      for (const r of log) if (!seen.has(textOf(r))) seen.set(textOf(r), r);
      expect(seen.size).toBeGreaterThan(25);
      const bad: string[] = [];
      for (const [text, r] of seen) {
        const { verdict, plan } = await explain(planner, name, r);
        if (verdict && !(BOUNDED_WALKS.test(text) && verdict.includes("parked_receipts")))
          bad.push(`${verdict}\n    statement: ${text.slice(0, 300)}\n    plan: ${plan.slice(0, 600)}`);
      }
      return bad;
    }

    // Without statistics: sqlite always (the core never runs ANALYZE), PostgreSQL until autovacuum's first
    // ANALYZE of a new or bulk-loaded table (the receipt collapse of main was planned this way).
    test("every hot statement the store issues is served by an index on its key (no statistics)", async () => {
      await exercise(store);
      expect(await unkeyed()).toEqual([]);
    }, 60_000);

    if (name === "postgres")
      test("and still after ANALYZE (PostgreSQL, statistics as autovacuum keeps them)", async () => {
        await db.write((tx) => tx.unsafe("ANALYZE"));
        expect(await unkeyed()).toEqual([]);
      }, 60_000);
  });
}

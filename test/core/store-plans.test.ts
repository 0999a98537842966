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
import { Database } from "bun:sqlite";
import { liteSql } from "../../core/store/sqlite.ts";
import { dropSchema, openDb, type Db, type Sql } from "../../core/store/db.ts";
import { storeOn, type Store } from "../../core/store/store.ts";
import { recordingDb, rerun, textOf, type Recorded } from "./helpers/recording-db.ts";
import { BACKENDS, PG_URL, type BackendName } from "./helpers/stores.ts";
import { exercise, fill } from "./helpers/store-hot-ops.ts";

/**
 * The walks allowed, each of a table bounded otherwise than by the store's size: the parked-receipt sweep's
 * fallback visits every parked receipt (bounded by the park limit; its lookups into mt_segments must still be
 * keyed); the outbox backlog gauge counts the outbox (read on a /metrics scrape, on no message's path).
 */
const BOUNDED_WALKS: readonly (readonly [RegExp, string])[] = [
  [/FROM parked_receipts p\b/, "parked_receipts"],
  [/AS dead FROM outbox$/, "outbox"],
];

/** Why a plan is not served by an index on its key, or undefined when it is. */
type Verdict = string | undefined;

/**
 * PostgreSQL (EXPLAIN FORMAT JSON): a Seq Scan, or an Index (Only) Scan without an Index Cond (a walk). Except
 * the first rows of an index in its order, unfiltered, under a Limit (`ORDER BY dead_at LIMIT n` on a partial
 * index): it reads only the rows it returns.
 */
function judgePg(plan: Record<string, unknown>, parent?: string): Verdict {
  const type = plan["Node Type"] as string;
  const rel = plan["Relation Name"] as string | undefined;
  if (type === "Seq Scan") return `Seq Scan on ${rel}`;
  const firstRows = parent === "Limit" && plan["Filter"] === undefined;
  if ((type === "Index Scan" || type === "Index Only Scan") && plan["Index Cond"] === undefined && !firstRows)
    return `${type} ${plan["Scan Direction"] ?? ""} on ${rel} using ${plan["Index Name"]} with no Index Cond (filter: ${plan["Filter"] ?? "none"})`;
  for (const sub of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) {
    const v = judgePg(sub, type);
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
    const top = (typeof json === "string" ? JSON.parse(json) : json)[0] as { Plan: Record<string, unknown>; JIT?: unknown };
    // A plan PostgreSQL would JIT-compile (its cost over jit_above_cost) spends more compiling than running here.
    const verdict = top.JIT !== undefined ? `JIT-compiled (cost ${top.Plan["Total Cost"]})` : judgePg(top.Plan);
    return { verdict, plan: JSON.stringify(top.Plan) };
  }
  const details = ((await rerun(planner, r, "EXPLAIN QUERY PLAN ")) as { detail: string }[]).map((x) => x.detail);
  return { verdict: judgeSqlite(details), plan: details.join(" | ") };
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
        if (verdict && !BOUNDED_WALKS.some(([statement, table]) => statement.test(text) && verdict.includes(table)))
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

/** The sqlite Db on bun:sqlite: the Bun.SQL-shaped queries it supports, its write queue, the checkpointer thread. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCoreConfig } from "../../core/config.ts";
import { openDb } from "../../core/store/db.ts";
import { openStore } from "../../core/store/store.ts";
import { mos } from "./helpers/events.ts";

const dir = mkdtempSync(join(tmpdir(), "gsh-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("tagged queries: values, lists, rows (one or many), undefined as NULL, errors as rejections", async () => {
  const db = await openDb(`sqlite://${join(dir, "q.sqlite")}`);
  try {
    await db.write((tx) => tx.unsafe("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, note TEXT)"));
    const one = { k: "a", n: 1, note: undefined };
    const got = await db.write(async (tx) => {
      await tx`INSERT INTO t ${tx(one)}`;
      for (const size of [1, 2, 3]) { // one template, several row counts: one statement per shape
        const rows = Array.from({ length: size }, (_, i) => ({ k: `r${size}-${i}`, n: size * 10 + i, note: "x" }));
        await tx`INSERT INTO t ${tx(rows)}`;
      }
      return tx`SELECT k, n, note FROM t WHERE k IN ${tx(["a", "r3-2", "missing"])} ORDER BY k`;
    });
    expect([...got]).toEqual([{ k: "a", n: 1, note: null }, { k: "r3-2", n: 32, note: "x" }]);
    const [count] = await db.read`SELECT COUNT(*) AS c FROM t WHERE n > ${10}`;
    expect(count.c).toBe(5); // 20, 21, 30, 31, 32
    expect(db.read`SELECT nope FROM t`).rejects.toThrow();
    expect(db.write((tx) => tx`SELECT 1 FROM t WHERE k IN ${tx([])}`)).rejects.toThrow(/empty list/);
  } finally {
    await db.close();
  }
});

test("a failed transaction rolls back; the reader never sees uncommitted rows; later writes go on", async () => {
  const db = await openDb(`sqlite://${join(dir, "tx.sqlite")}`);
  try {
    await db.write((tx) => tx.unsafe("CREATE TABLE t (k TEXT PRIMARY KEY)"));
    const failed = db.write(async (tx) => {
      await tx`INSERT INTO t (k) VALUES (${"gone"})`;
      expect((await db.read`SELECT k FROM t`).length).toBe(0); // inside the open transaction
      throw new Error("boom");
    });
    expect(failed).rejects.toThrow("boom");
    await failed.catch(() => undefined);
    await db.write((tx) => tx`INSERT INTO t (k) VALUES (${"kept"})`);
    expect((await db.read`SELECT k FROM t`).map((r: { k: string }) => r.k)).toEqual(["kept"]);
    expect(db.read`INSERT INTO t (k) VALUES ('stray')`).rejects.toThrow(); // the read connection is query-only
  } finally {
    await db.close();
  }
});

test("writes asked for together share one COMMIT; one that throws rolls back alone, the others are kept", async () => {
  const db = await openDb(`sqlite://${join(dir, "coalesce.sqlite")}`);
  try {
    await db.write((tx) => tx.unsafe("CREATE TABLE t (k TEXT PRIMARY KEY)"));
    const seen: number[] = [];
    const committed: number[] = [];
    const writes = ["a", "bad", "c"].map((k) =>
      db.write(async (tx) => {
        await tx`INSERT INTO t (k) VALUES (${k})`;
        seen.push(Number((await tx`SELECT COUNT(*) AS n FROM t`)[0]!.n));
        committed.push(Number((await db.read`SELECT COUNT(*) AS n FROM t`)[0]!.n));
        if (k === "bad") throw new Error("boom");
        return k;
      }),
    );
    const settled = await Promise.allSettled(writes);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    // One transaction: each write saw the ones before it, none of them committed yet (one transaction each
    // would have committed "a" before the others ran); the failed one's row went with it.
    expect(seen).toEqual([1, 2, 2]);
    expect(committed).toEqual([0, 0, 0]);
    expect((await db.read`SELECT k FROM t ORDER BY k`).map((r: { k: string }) => r.k)).toEqual(["a", "c"]);
  } finally {
    await db.close();
  }
});

test("two Dbs of one process on one file: writes queue instead of blocking the event loop on the lock", async () => {
  const url = `sqlite://${join(dir, "two.sqlite")}`;
  const [a, b] = [await openStore(url), await openStore(url)];
  try {
    const batches = await Promise.all([a, b, a, b].map(async (s, i) => s.insertEvents(await mos(i * 100, 50), 1)));
    expect(batches.flat().filter((r) => r.inserted)).toHaveLength(200);
  } finally {
    await a.close();
    await b.close();
  }
});

test("committed WAL pages reach the database file from the checkpointer thread (no checkpoint inside COMMIT)", async () => {
  const file = join(dir, "ckpt.sqlite");
  const store = await openStore(`sqlite://${file}`);
  try {
    const before = statSync(file).size;
    for (let i = 0; i < 4; i++) await store.insertEvents(await mos(10_000 + i * 500, 500), 1);
    // ~1 MB of events: far below the writer's own autocheckpoint (20,000 pages), so only the thread copies it.
    const deadline = Date.now() + 3_000;
    while (statSync(file).size < before + 500_000 && Date.now() < deadline) await Bun.sleep(20);
    expect(statSync(file).size).toBeGreaterThan(before + 500_000);
  } finally {
    await store.close();
  }
});

/** A PRAGMA's value on the writer connection of a fresh sqlite Db opened with `opts`. */
async function writerPragma(name: "synchronous" | "cache_size", opts: Parameters<typeof openDb>[1]): Promise<number> {
  const db = await openDb(`sqlite://${join(dir, `${name}-${crypto.randomUUID()}.sqlite`)}`, opts);
  try {
    const [r] = await db.write((tx) => (name === "synchronous" ? tx`PRAGMA synchronous` : tx`PRAGMA cache_size`));
    return Number((r as Record<string, number>)[name]);
  } finally {
    await db.close();
  }
}

test("durable before acknowledged: the writer syncs every COMMIT (synchronous=FULL) unless normal is asked for", async () => {
  const sync = (opts: Parameters<typeof openDb>[1]) => writerPragma("synchronous", opts);
  expect(await sync({})).toBe(2); // FULL
  expect(await sync({ sqliteSynchronous: "full" })).toBe(2);
  expect(await sync({ sqliteSynchronous: "normal" })).toBe(1);
});

test("the writer's page cache is store.sqliteCacheMiB, 8 MiB by default", async () => {
  const cache = (opts: Parameters<typeof openDb>[1]) => writerPragma("cache_size", opts);
  expect(await cache({})).toBe(-8 * 1024); // negative: KiB
  expect(await cache({ sqliteCacheMiB: 2 })).toBe(-2 * 1024);
  expect(loadCoreConfig({}).store.sqliteCacheMiB).toBe(8);
});

/** The inbox: dedup, group commit, failure propagation, two cores on one PostgreSQL; both backends. */
import { afterAll, describe, expect, test } from "bun:test";
import { Inbox } from "../../core/inbound/inbox.ts";
import type { Store } from "../../core/store/store.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { mo, mos } from "./helpers/events.ts";

/** Counts the store's insert transactions (a thin wrapper: the real store does the work). */
function counting(store: Store) {
  const calls: number[] = [];
  const wrapped: Store = { ...store, insertEvents: (events, now) => (calls.push(events.length), store.insertEvents(events, now)) };
  return { store: wrapped, calls };
}

for (const name of BACKENDS) {
  describe(`inbox (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("the same event twice → one row and one dedup hit", async () => {
      const store = await b.open();
      let dups = 0;
      const inbox = new Inbox(store);
      inbox.on("committed", ({ duplicates: d }) => (dups += d));
      const e = await mo("twice");
      const first = await inbox.accept(e);
      const second = await inbox.accept(e);
      expect(first).toEqual({ stored: true, cursor: expect.any(Number) });
      expect(second).toEqual({ stored: false, duplicate: true });
      expect(dups).toBe(1);
      const rows = (await store.eventsAfter(0, 1000)).filter((s) => s.event.id === e.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.event).toEqual(e);
    });

    test("1000 concurrent accepts with duplicates: exact counts, few transactions", async () => {
      const { store, calls } = counting(await b.open());
      let stored = 0;
      let dups = 0;
      const inbox = new Inbox(store);
      inbox.on("committed", ({ stored: s, duplicates: d }) => ((stored += s), (dups += d)));
      const distinct = await mos(10_000, 700);
      // 700 distinct + 300 repeats of the first 300, interleaved
      const all = [...distinct, ...distinct.slice(0, 300)].sort((x, y) => (x.id < y.id ? -1 : 1));
      const results = await Promise.all(all.map((e) => inbox.accept(e)));
      expect(results.filter((r) => r.stored)).toHaveLength(700);
      expect(results.filter((r) => !r.stored)).toHaveLength(300);
      expect(stored).toBe(700);
      expect(dups).toBe(300);
      expect(calls.length).toBeLessThan(10); // grouped, not 1000 transactions
      expect(calls.reduce((a, n) => a + n, 0)).toBe(1000);
      const cursors = results.flatMap((r) => (r.stored ? [r.cursor] : []));
      expect(new Set(cursors).size).toBe(700);
      const ids = new Set((await store.eventsAfter(0, 100_000)).map((s) => s.event.id));
      for (const e of distinct) expect(ids.has(e.id)).toBe(true);
    });

    test("a store failure rejects every caller of that batch; the next batch works", async () => {
      const real = await b.open();
      let fail = true;
      const store: Store = { ...real, insertEvents: (events, now) => (fail ? Promise.reject(new Error("disk full")) : real.insertEvents(events, now)) };
      const inbox = new Inbox(store);
      const batch = await mos(20_000, 5);
      const settled = await Promise.allSettled(batch.map((e) => inbox.accept(e)));
      expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected", "rejected", "rejected"]);
      expect(await real.hasAnyDedupKey(batch.map((e) => e.dedupKey))).toBe(false);
      fail = false;
      const again = await Promise.all(batch.map((e) => inbox.accept(e)));
      expect(again.every((r) => r.stored)).toBe(true);
    });

    test("a real database failure (store closed) rejects the batch", async () => {
      const store = await b.open();
      const inbox = new Inbox(store);
      await store.close();
      await expect(inbox.accept(await mo("closed"))).rejects.toBeDefined();
    });

    if (name === "postgres") {
      test("two inboxes (two stores) on one PostgreSQL receive the same events concurrently → one each", async () => {
        const [s1, s2] = await Promise.all([b.open(), b.open()]);
        const a = new Inbox(s1);
        const c = new Inbox(s2);
        const events = await mos(30_000, 200);
        const results = await Promise.all(events.flatMap((e) => [a.accept(e), c.accept(e)]));
        expect(results.filter((r) => r.stored)).toHaveLength(200);
        const stored = (await s1.eventsAfter(0, 100_000)).filter((s) => events.some((e) => e.id === s.event.id));
        expect(stored).toHaveLength(200);
      });
    }
  });
}

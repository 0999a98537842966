/**
 * Retention: old events and MT records are pruned in batches; an event a webhook delivery still needs (pending
 * or dead-lettered) is kept whatever its age. Both backends; the sweep on a ManualClock.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock, type Clock } from "../../contract/index.ts";
import type { Store } from "../../core/store/store.ts";
import { Retention } from "../../core/store/retention.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { mo } from "./helpers/events.ts";

const DAY = 86_400_000;

for (const name of BACKENDS) {
  describe(`retention (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("old delivered events and old MT records go; pending, dead-lettered and recent ones stay", async () => {
      const store = await b.open();
      const [delivered, pending, dead] = await Promise.all([mo("r-delivered"), mo("r-pending"), mo("r-dead")]);
      await store.insertEvents([delivered!, pending!, dead!], 1 * DAY);
      const recent = await mo("r-recent");
      await store.insertEvents([recent], 40 * DAY);
      // Webhook deliveries: the first delivered, the third dead-lettered, the second still pending.
      const leased = await store.claimDeliveries("core-a", 1 * DAY, 60_000, 10);
      expect(leased).toHaveLength(3);
      const cursorOf = (id: string) => leased.find((d) => d.event.id === id)!.cursor;
      expect(await store.settleDelivery(cursorOf(delivered!.id), "core-a", { kind: "delivered" }, 1 * DAY)).toBe(true);
      expect(await store.settleDelivery(cursorOf(dead!.id), "core-a", { kind: "dead", attempts: 9, error: "410" }, 1 * DAY)).toBe(true);
      await store.correlate([{ kind: "submit", rec: { clientMessageId: "old-mt", segments: [{ smscMessageId: "A1", node: "smc1.dc3", site: "dc3" }] } }], 1 * DAY);
      await store.correlate([{ kind: "submit", rec: { clientMessageId: "new-mt", segments: [{ smscMessageId: "B2", node: "smc1.dc3", site: "dc3" }] } }], 40 * DAY);

      const clock = new ManualClock(41 * DAY);
      const pruned: unknown[] = [];
      const retention = (o: { batch?: number } = {}) => {
        const x = new Retention({ store, clock, retentionMs: 30 * DAY, ...o });
        x.on("pruned", (n) => pruned.push(n));
        return x;
      };
      const r = await retention({ batch: 1 }).sweep();
      expect(r.events).toBe(1);
      expect(r.mtRecords).toBeGreaterThan(0); // one row per SMSC id form
      expect(pruned).toEqual([r]);
      const left = (await store.eventsAfter(0, 100)).map((e) => e.event.id).sort();
      expect(left).toEqual([pending!.id, dead!.id, recent.id].sort());
      expect(await store.findSubmit("old-mt")).toBeUndefined();
      expect((await store.findSubmit("new-mt"))?.segments).toHaveLength(1);
      // Nothing more to do: a second sweep prunes nothing and reports nothing.
      expect(await retention().sweep()).toEqual({ events: 0, mtRecords: 0 });
      expect(pruned).toHaveLength(1);
    });

    test("the store counts the hot paths' writes (the sweep's sign that they are busy), not reads, polls or sweeps", async () => {
      const store = await b.open();
      const w0 = store.hotWrites();
      await store.insertEvents([await mo("r-count")], 1 * DAY);
      await store.correlate([{ kind: "submit", rec: { clientMessageId: "count-mt", segments: [{ smscMessageId: "C3" }] } }], 1 * DAY);
      await store.recordSends([{ clientMessageId: "count-mt", principal: "core", path: "smpp", send: { status: "accepted", at: new Date(DAY).toISOString(), attempts: [] } }], 1 * DAY);
      expect(store.hotWrites() - w0).toBe(3);
      await store.eventsAfter(0, 10);
      await store.findSubmit("count-mt");
      await store.claimDeliveries("core-c", 0, 60_000, 10); // the outbox's poll, every second when idle
      await store.releaseParked(0, 1 * DAY);
      await store.pruneBefore(0, 10);
      await store.recordBindAttempt("smc1.dc3", "core-c", 1);
      expect(store.hotWrites() - w0).toBe(3);
    });

    test("the sweep runs on its own, firstSweepMs after start", async () => {
      const store = await b.open();
      const old = await mo("r-sweep");
      await store.insertEvents([old], 0);
      const [d] = await store.claimDeliveries("core-b", 0, 60_000, 100).then((ds) => ds.filter((x) => x.event.id === old.id));
      await store.settleDelivery(d!.cursor, "core-b", { kind: "delivered" }, 0);
      const clock = new ManualClock(10 * DAY);
      const retention = new Retention({ store, clock, retentionMs: DAY, sweepMs: 60_000, firstSweepMs: 1_000 });
      retention.start();
      try {
        await clock.advance(999);
        expect((await store.eventsAfter(0, 100)).some((e) => e.event.id === old.id)).toBe(true);
        await clock.advance(1);
        // The sweep's transaction runs on real I/O: wait for it, bounded.
        const gone = async () => !(await store.eventsAfter(0, 100)).some((e) => e.event.id === old.id);
        for (let i = 0; i < 100 && !(await gone()); i++) await Bun.sleep(20);
        expect(await gone()).toBe(true);
      } finally {
        retention.stop();
      }
    });
  });
}

/** A store whose prune batches each take 10 ms of `clock` time; `hotWrite()` stands for a hot path's write. */
function pacedFixture(batches: number) {
  const manual = new ManualClock(100 * DAY);
  let spent = 0; // time the store's batches took (each 10 ms), on top of the manual clock's
  const clock: Clock = { now: () => manual.now() + spent, monotonic: () => manual.monotonic() + spent, setTimeout: (fn, ms) => manual.setTimeout(fn, ms), clearTimeout: (id) => manual.clearTimeout(id) };
  const starts: number[] = [];
  let writes = 0;
  const store = {
    // `batches` full batches, then a short one.
    pruneBefore: async (_before: number, limit: number) => {
      starts.push(clock.monotonic());
      spent += 10;
      return { events: starts.length <= batches ? limit : 0, mtRecords: 0 };
    },
    hotWrites: () => writes,
  } as unknown as Store;
  const gaps = () => starts.slice(1).map((t, i) => t - starts[i]!);
  return { manual, clock, store, starts, gaps, hotWrite: () => void writes++ };
}

test("the sweep is paced: after a batch that took 10 ms it pauses 40 ms (share 0.2) before the next", async () => {
  const { manual, clock, store, starts, gaps } = pacedFixture(3);
  const swept = new Retention({ store, clock, retentionMs: DAY, batch: 100, share: 0.2 }).sweep();
  await manual.advance(39);
  expect(starts).toHaveLength(1); // still pausing after the first batch
  await manual.advance(1000);
  expect(await swept).toEqual({ events: 300, mtRecords: 0 });
  expect(gaps()).toEqual([50, 50, 50]);
});

test("while the hot paths write, the sweep yields more: 190 ms after a 10 ms batch (busyShare 0.05), back to 40 ms once quiet", async () => {
  const { manual, clock, store, gaps, hotWrite } = pacedFixture(4);
  const swept = new Retention({ store, clock, retentionMs: DAY, batch: 100, share: 0.2, busyShare: 0.05 }).sweep();
  // A hot-path write during the first batch, and one during the pause after the second; the third window is quiet.
  hotWrite();
  await manual.advance(10); // first pause: 0..190 after its end
  await manual.advance(200); // second batch at 200, then a quiet pause till 250
  hotWrite(); // during the pause after the second batch: counted at the third batch
  await manual.advance(2000);
  expect(await swept).toEqual({ events: 400, mtRecords: 0 });
  expect(gaps()).toEqual([200, 50, 200, 50]);
});

test("a sweep that has run for a whole sweepMs takes the quiet share even while the hot paths write (else a busy store grows without end)", async () => {
  const { manual, clock, store, gaps, hotWrite } = pacedFixture(3);
  const swept = new Retention({ store, clock, retentionMs: DAY, batch: 100, share: 0.2, busyShare: 0.05, sweepMs: 300 }).sweep();
  // Hot writes before every batch: the first two pauses are busy ones (190 ms); by the third batch's end the
  // sweep has run 410 ms > sweepMs: 40 ms.
  for (let t = 0; t < 1000; t += 5) {
    hotWrite();
    await manual.advance(5);
  }
  expect(await swept).toEqual({ events: 300, mtRecords: 0 });
  expect(gaps()).toEqual([200, 200, 50]);
});

test("stop() ends a pause at once: the sweep answers what it pruned, and no timer is left behind", async () => {
  const { manual, clock, store, starts, hotWrite } = pacedFixture(3);
  const retention = new Retention({ store, clock, retentionMs: DAY, batch: 100 });
  hotWrite();
  const swept = retention.sweep();
  await manual.advance(10); // the first batch done, a 190 ms pause begun
  retention.stop();
  expect(await swept).toEqual({ events: 100, mtRecords: 0 });
  expect(starts).toHaveLength(1);
  expect(manual.pending).toBe(0);
});

test("the periodic sweep first runs a minute after start (a core restarted more often than hourly still sweeps), then every sweepMs", async () => {
  const { manual, clock, store, starts } = pacedFixture(0);
  const retention = new Retention({ store, clock, retentionMs: DAY, sweepMs: 3_600_000 });
  retention.start();
  try {
    await manual.advance(59_999);
    expect(starts).toHaveLength(0);
    await manual.advance(1);
    expect(starts).toHaveLength(1);
    await manual.advance(3_599_999);
    expect(starts).toHaveLength(1);
    await manual.advance(1);
    expect(starts).toHaveLength(2);
  } finally {
    retention.stop();
  }
});

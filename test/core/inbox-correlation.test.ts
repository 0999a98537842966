/** Receipts ↔ MTs: hex/decimal forms, receipt before submit (parked), expiry, every receipt kept; both backends. */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../contract/index.ts";
import { Correlation } from "../../core/inbound/correlation.ts";
import { Inbox } from "../../core/inbound/inbox.ts";
import { openDb } from "../../core/store/db.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { receipt } from "./helpers/events.ts";

const statusOf = async (store: { eventsAfter: (a: number, l: number) => Promise<{ event: import("../../contract/index.ts").Event }[]> }, id: string) =>
  (await store.eventsAfter(0, 10_000)).filter((s) => s.event.id === id).map((s) => s.event);

for (const name of BACKENDS) {
  describe(`correlation (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    async function setup() {
      const store = await b.open();
      const clock = new ManualClock();
      const inbox = new Inbox(store);
      return { store, clock, corr: new Correlation({ store, inbox, clock, parkLimitMs: 60_000 }) };
    }

    test("submit then receipt (decimal form of a hex id, on another site) → correlated; every receipt kept", async () => {
      const { store, corr } = await setup();
      await corr.recordSubmit({ clientMessageId: "m-1", segments: [{ smscMessageId: "0A1B", node: "smc1.dc3", site: "dc3" }, { smscMessageId: "0a1c", node: "smc1.dc3", site: "dc3" }] });
      expect(await corr.correlateReceipt(String(0x0a1b))).toBe("m-1");
      expect(await corr.correlateReceipt("a1c")).toBe("m-1");
      expect(await corr.correlateReceipt("ffff1")).toBeUndefined();
      const enroute = await receipt(String(0x0a1b), 1);
      const delivered = await receipt(String(0x0a1b), 2);
      expect(await corr.receipt(enroute)).toEqual({ outcome: "stored", clientMessageId: "m-1" });
      expect(await corr.receipt(delivered)).toEqual({ outcome: "stored", clientMessageId: "m-1" });
      expect(await corr.receipt(delivered)).toEqual({ outcome: "duplicate" });
      const [e] = await statusOf(store, delivered.id);
      expect(e?.type === "message.status" && e.data.clientMessageId).toBe("m-1");
      expect((await statusOf(store, enroute.id)).length).toBe(1);
    });

    test("receipt before submit → parked (not stored), redelivery while parked is a duplicate, released by the submit", async () => {
      const { store, corr } = await setup();
      const r = await receipt("00FF01");
      expect(await corr.receipt(r)).toEqual({ outcome: "parked" });
      expect(await corr.receipt(r)).toEqual({ outcome: "duplicate" });
      expect(await statusOf(store, r.id)).toEqual([]);
      expect(await corr.recordSubmit({ clientMessageId: "m-2", segments: [{ smscMessageId: "ff01", node: "smc2.bos", site: "bos" }] })).toEqual({ released: 1 });
      const [e] = await statusOf(store, r.id);
      expect(e?.type === "message.status" && e.data.clientMessageId).toBe("m-2");
      expect(await corr.receipt(r)).toEqual({ outcome: "duplicate" }); // a later redelivery
      expect(await corr.recordSubmit({ clientMessageId: "m-2", segments: [{ smscMessageId: "ff01" }] })).toEqual({ released: 0 });
    });

    test("receipt and submit racing (many at once) → every receipt stored correlated exactly once", async () => {
      const { store, corr } = await setup();
      const ids = Array.from({ length: 50 }, (_, i) => (0xabc000 + i).toString(16));
      const receipts = await Promise.all(ids.map((id) => receipt(BigInt(`0x${id}`).toString())));
      await Promise.all([
        ...receipts.map((r) => corr.receipt(r)),
        ...ids.map((id, i) => corr.recordSubmit({ clientMessageId: `race-${i}`, segments: [{ smscMessageId: id }] })),
      ]);
      expect(await corr.sweep()).toEqual({ correlated: 0, uncorrelated: 0 }); // the form locks left nothing for the sweep
      const stored = (await store.eventsAfter(0, 10_000)).map((s) => s.event).filter((e) => receipts.some((r) => r.id === e.id));
      expect(stored).toHaveLength(50);
      for (const e of stored) expect(e.type === "message.status" && e.data.clientMessageId).toMatch(/^race-\d+$/);
    });

    test("sweep fallback: a parked receipt whose MT record appeared without a release is stored correlated", async () => {
      const { store, corr } = await setup();
      const r = await receipt("77aa01");
      expect(await corr.receipt(r)).toEqual({ outcome: "parked" });
      // Another writer recorded the MT row directly (no release in its transaction): only the sweep can match it.
      const db = await openDb(b.url, b.schema ? { schema: b.schema } : {});
      try {
        await db.write((tx) => tx`INSERT INTO mt_segments (smsc_form, client_message_id, segment, smsc_message_id, created_at) VALUES ('77aa01', 'm-sweep', 0, '77AA01', 1)`);
      } finally {
        await db.close();
      }
      expect(await corr.sweep()).toEqual({ correlated: 1, uncorrelated: 0 });
      const [e] = await statusOf(store, r.id);
      expect(e?.type === "message.status" && e.data.clientMessageId).toBe("m-sweep");
      expect(await corr.sweep()).toEqual({ correlated: 0, uncorrelated: 0 });
    });

    test("group commit: parks and submits of one tick share a transaction; a failing batch is retried op by op", async () => {
      const { store, clock } = await setup();
      const bad = await receipt("bad0001");
      let calls = 0;
      // The real store, with one fault injected: any batch holding `bad` fails (sqlite/PostgreSQL cannot be made
      // to fail on one row of a statement on demand).
      const faulty = { ...store, correlate: (ops: Parameters<typeof store.correlate>[0], now: number) => {
        calls++;
        return ops.some((op) => op.kind === "park" && op.event.id === bad.id) ? Promise.reject(new Error("injected")) : store.correlate(ops, now);
      } };
      const corr = new Correlation({ store: faulty, inbox: new Inbox(store), clock });
      const [a, c] = [await receipt("aa0001"), await receipt("cc0001")];
      const one = await Promise.all([corr.park(a), corr.recordSubmit({ clientMessageId: "m-gc", segments: [{ smscMessageId: "aa0001" }] })]);
      expect(one).toEqual([{ outcome: "parked" }, { released: 1 }]);
      expect(calls).toBe(1); // one transaction for both, in arrival order
      const two = await Promise.allSettled([corr.park(c), corr.park(bad), corr.park(c)]);
      expect(two.map((r) => (r.status === "fulfilled" ? r.value.outcome : "rejected"))).toEqual(["parked", "rejected", "duplicate"]);
      expect(calls).toBe(1 + 1 + 3);
      expect(await corr.recordSubmit({ clientMessageId: "m-gc2", segments: [{ smscMessageId: "cc0001" }] })).toEqual({ released: 1 }); // leaves nothing parked
    });

    test("a parked receipt whose submit never comes is stored uncorrelated after the limit", async () => {
      const { store, clock, corr } = await setup();
      const r = await receipt("123456789");
      expect(await corr.receipt(r)).toEqual({ outcome: "parked" });
      expect(await corr.sweep()).toEqual({ correlated: 0, uncorrelated: 0 });
      await clock.advance(60_001);
      expect(await corr.sweep()).toEqual({ correlated: 0, uncorrelated: 1 });
      const [e] = await statusOf(store, r.id);
      expect(e?.type === "message.status" && e.data.clientMessageId).toBeUndefined();
      expect(e?.type === "message.status" && e.data.smscMessageId).toBe("123456789");
    });
  });
}

/**
 * Outbox → a real webhook receiver (Bun.serve on port 0): signed POSTs, retries with backoff on a
 * ManualClock, dead letter, continuation after a restart, and no concurrent double delivery across two
 * outboxes on one PostgreSQL.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../contract/index.ts";
import { Inbox } from "../../core/inbound/inbox.ts";
import { Outbox, backoffMs, type DeliveryResult } from "../../core/delivery/outbox.ts";
import { WebhookClient, verifyWebhook } from "../../core/delivery/webhook.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { mo, mos } from "./helpers/events.ts";
import { startReceiver } from "./helpers/receiver.ts";
import type { Store } from "../../core/store/store.ts";

const SECRET = "test-webhook-secret";
const RETRY = { baseMs: 1_000, capMs: 8_000, maxAttempts: 4 };

test("backoff: exponential, capped, jittered within 50-100 %", () => {
  expect([1, 2, 3, 4, 5].map((a) => backoffMs(RETRY, a, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000]);
  expect(backoffMs(RETRY, 3, () => 0)).toBe(2000);
});

for (const name of BACKENDS) {
  describe(`outbox (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    function outbox(store: Store, url: string, clock: ManualClock, owner = "core-a", results: DeliveryResult[] = []) {
      const webhook = new WebhookClient({ url, secret: SECRET, clock });
      const o = new Outbox({ store, webhook, owner, clock, retry: RETRY, random: () => 1 });
      o.on("delivery", ({ result }) => results.push(result));
      return o;
    }

    test("delivers a signed POST with the event id as idempotency key; the signature verifies", async () => {
      const rx = startReceiver();
      try {
        const store = await b.open();
        const clock = new ManualClock(Date.now());
        const e = await mo("signed");
        await new Inbox(store, { clock }).accept(e);
        expect(await outbox(store, rx.url, clock).runOnce()).toBeGreaterThanOrEqual(1);
        const got = rx.received.find((r) => r.headers.get("idempotency-key") === e.id)!;
        expect(got).toBeDefined();
        expect(JSON.parse(got.body)).toEqual(e);
        expect(got.headers.get("content-type")).toBe("application/json");
        const sig = { signature: got.headers.get("x-signature"), timestamp: got.headers.get("x-signature-timestamp") };
        expect(sig.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
        expect(await verifyWebhook(SECRET, sig, got.body, clock.now())).toBe(true);
        expect(await verifyWebhook("wrong-secret", sig, got.body, clock.now())).toBe(false);
        expect(await verifyWebhook(SECRET, sig, got.body + " ", clock.now())).toBe(false);
        expect(await verifyWebhook(SECRET, { ...sig, signature: sig.signature!.slice(0, -1) }, got.body, clock.now())).toBe(false);
        expect(await verifyWebhook(SECRET, sig, got.body.replace("signed", "signeD"), clock.now())).toBe(false);
        expect(await store.outboxBacklog()).toEqual({ pending: 0, dead: 0 });
      } finally {
        rx.stop();
      }
    });

    test("500 → retried after the backoff, not before; then delivered", async () => {
      const rx = startReceiver((n) => (n <= 2 ? 500 : 200));
      try {
        const store = await b.open();
        const clock = new ManualClock();
        const results: DeliveryResult[] = [];
        const ob = outbox(store, rx.url, clock, "core-a", results);
        await ob.runOnce(); // drain anything earlier tests left so only our event counts
        rx.received.length = 0;
        const e = await mo("retry");
        await new Inbox(store, { clock }).accept(e);
        expect(await ob.runOnce()).toBe(1); // 500
        expect(await ob.runOnce()).toBe(0); // not due yet
        await clock.advance(999);
        expect(await ob.runOnce()).toBe(0);
        await clock.advance(1);
        expect(await ob.runOnce()).toBe(1); // 500 again; next in 2 s
        await clock.advance(1_999);
        expect(await ob.runOnce()).toBe(0);
        await clock.advance(1);
        expect(await ob.runOnce()).toBe(1); // 200
        expect(results.slice(-3)).toEqual(["retry", "retry", "delivered"]);
        expect(rx.received.map((r) => r.headers.get("idempotency-key"))).toEqual([e.id, e.id, e.id]);
      } finally {
        rx.stop();
      }
    });

    test("always failing → dead letter after maxAttempts; a dead event stays pullable", async () => {
      const rx = startReceiver(() => 503);
      try {
        const store = await b.open();
        const clock = new ManualClock();
        const results: DeliveryResult[] = [];
        const ob = outbox(store, rx.url, clock, "core-a", results);
        await ob.runOnce();
        await clock.advance(60_000);
        while ((await ob.runOnce()) > 0) await clock.advance(60_000); // earlier leftovers
        results.length = 0;
        const e = await mo("dead");
        await new Inbox(store, { clock }).accept(e);
        for (let i = 0; i < 6; i++) {
          await ob.runOnce();
          await clock.advance(8_000);
        }
        expect(results).toEqual(["retry", "retry", "retry", "dead"]);
        expect((await store.outboxBacklog()).dead).toBeGreaterThanOrEqual(1);
        expect((await store.eventsAfter(0, 10_000)).some((s) => s.event.id === e.id)).toBe(true);
      } finally {
        rx.stop();
      }
    });

    test("continues after a restart: a new outbox on the same store delivers what the old one had not", async () => {
      const rx = startReceiver();
      try {
        const first = await b.open();
        const clock = new ManualClock();
        const events = await mos(40_000, 30);
        await Promise.all(events.map((e) => new Inbox(first, { clock }).accept(e)));
        await first.close(); // "crash" before delivering anything
        const second = await b.open();
        const ob = outbox(second, rx.url, clock, "core-restarted");
        ob.start();
        const deadline = Date.now() + 5_000;
        const want = new Set(events.map((e) => e.id));
        while ([...want].some((id) => !rx.received.some((r) => r.headers.get("idempotency-key") === id)) && Date.now() < deadline) await Bun.sleep(10);
        await ob.stop();
        for (const id of want) expect(rx.received.some((r) => r.headers.get("idempotency-key") === id)).toBe(true);
      } finally {
        rx.stop();
      }
    });

    test("a delivery leased by a core that died is taken over after the lease", async () => {
      const rx = startReceiver();
      try {
        const store = await b.open();
        const clock = new ManualClock();
        const e = await mo("lease");
        await new Inbox(store, { clock }).accept(e);
        const claimed = await store.claimDeliveries("dead-core", clock.now(), 60_000, 10_000);
        expect(claimed.some((d) => d.event.id === e.id)).toBe(true);
        const ob = outbox(store, rx.url, clock, "core-b");
        expect(await ob.runOnce()).toBe(0);
        await clock.advance(60_000);
        expect(await ob.runOnce()).toBeGreaterThanOrEqual(1);
        expect(rx.received.some((r) => r.headers.get("idempotency-key") === e.id)).toBe(true);
        expect(await store.settleDelivery(claimed[0]!.cursor, "dead-core", { kind: "delivered" }, clock.now())).toBe(false);
      } finally {
        rx.stop();
      }
    });

    if (name === "postgres") {
      test("two outboxes on one PostgreSQL never deliver the same event concurrently", async () => {
        let inFlight = new Map<string, number>();
        let overlap = 0;
        const rx = startReceiver(async (_n, r) => {
          const id = r.headers.get("idempotency-key")!;
          inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
          if (inFlight.get(id)! > 1) overlap++;
          await Bun.sleep(2);
          inFlight.set(id, inFlight.get(id)! - 1);
          return 200;
        });
        try {
          const [s1, s2] = await Promise.all([b.open(), b.open()]);
          const clock = new ManualClock();
          await outbox(s1, rx.url, clock).runOnce();
          await clock.advance(120_000);
          while ((await outbox(s1, rx.url, clock).runOnce()) > 0);
          rx.received.length = 0;
          inFlight = new Map();
          const events = await mos(50_000, 300);
          await Promise.all(events.map((e) => new Inbox(s1, { clock }).accept(e)));
          const a = outbox(s1, rx.url, clock, "core-a");
          const c = outbox(s2, rx.url, clock, "core-b");
          const rounds = async (o: Outbox) => {
            while ((await o.runOnce()) > 0);
          };
          await Promise.all([rounds(a), rounds(c), rounds(a), rounds(c)]);
          expect(overlap).toBe(0);
          const ids = rx.received.map((r) => r.headers.get("idempotency-key"));
          expect(new Set(ids).size).toBe(300);
          expect(ids.length).toBe(300); // nothing posted twice: leases held and were settled
          expect((await s1.outboxBacklog()).pending).toBe(0);
        } finally {
          rx.stop();
        }
      });
    }
  });
}

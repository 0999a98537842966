/**
 * Webhook delivery under a bad receiver, against real receivers (Bun.serve on port 0) and both stores: a
 * receiver that stalls some connections holds only their slots (no head-of-line blocking); a dead-lettered
 * delivery is delivered again after POST /v1/deliveries/replay, and by the periodic dead-letter retry.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock, systemClock } from "../../contract/index.ts";
import { Inbox } from "../../core/inbound/inbox.ts";
import { Outbox } from "../../core/delivery/outbox.ts";
import { WebhookClient } from "../../core/delivery/webhook.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { AUTH, coreApp } from "./helpers/core-app.ts";
import { mo, mos } from "./helpers/events.ts";
import { startReceiver } from "./helpers/receiver.ts";

const until = async (cond: () => boolean | Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) return false;
    await Bun.sleep(10);
  }
  return true;
};

for (const name of BACKENDS) {
  describe(`webhook outbox, hostile receiver (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("two stalled connections (2.6 s) hold two of 8 slots: the 40 other events are delivered while they stall", async () => {
      const stalled = new Set([(await mo("hol-0")).id, (await mo("hol-1")).id]);
      const rx = startReceiver(async (_n, r) => {
        if (stalled.has(r.headers.get("idempotency-key")!)) await Bun.sleep(2_600); // under the timeout: delivered, late
        return 200;
      });
      const store = await b.open();
      const outbox = new Outbox({ store, owner: "hol", batch: 8, idleMs: 50, webhook: new WebhookClient({ url: rx.url, secret: "s", clock: systemClock, timeoutMs: 3_000 }) });
      let fast = 0;
      outbox.on("delivery", ({ result, delivery }) => { if (result === "delivered" && !stalled.has(delivery.event.id)) fast++; });
      try {
        await new Inbox(store).accept(await mo("hol-0")); // the stalled ones first: claimed in the first batch
        await new Inbox(store).accept(await mo("hol-1"));
        const inbox = new Inbox(store);
        await Promise.all((await mos(1000, 40)).map((e) => inbox.accept(e)));
        outbox.start();
        // A round that waits for its slowest post would deliver 6 now and the rest after 2.6 s.
        expect(await until(() => fast >= 40, 2_000)).toBe(true);
      } finally {
        await outbox.stop();
        rx.stop();
      }
    }, 15_000);

    test("dead-lettered deliveries: POST /v1/deliveries/replay gives them the whole schedule again", async () => {
      let up = false;
      const rx = startReceiver(() => (up ? 200 : 500));
      const store = await b.open();
      const clock = new ManualClock(Date.now());
      const outbox = new Outbox({ store, owner: "dead", clock, retry: { baseMs: 1, capMs: 1, maxAttempts: 1 }, webhook: new WebhookClient({ url: rx.url, secret: "s", clock }) });
      try {
        const before = (await store.outboxBacklog()).dead;
        await new Inbox(store, { clock }).accept(await mo("dead-1"));
        while ((await outbox.runOnce()) > 0);
        expect((await store.outboxBacklog()).dead).toBe(before + 1);
        up = true;
        expect(await outbox.runOnce()).toBe(0); // dead: never tried again on its own (before the periodic retry)
        const { app } = coreApp(store, { deliveries: outbox });
        const res = await app.request("/v1/deliveries/replay?limit=10000", { method: "POST", headers: AUTH });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { replayed: number }).replayed).toBe(before + 1);
        expect((await app.request("/v1/deliveries/replay?limit=0", { method: "POST", headers: AUTH })).status).toBe(400);
        expect((await app.request("/v1/deliveries/replay", { method: "POST" })).status).toBe(401);
        while ((await outbox.runOnce()) > 0);
        expect((await store.outboxBacklog()).dead).toBe(0);
        const id = (await mo("dead-1")).id;
        expect(rx.received.filter((r) => r.headers.get("idempotency-key") === id).length).toBe(2);
      } finally {
        rx.stop();
      }
    });

    test("the periodic dead-letter retry: one more attempt each period, at most deadRetry.batch rows", async () => {
      let up = false;
      const rx = startReceiver(() => (up ? 200 : 500));
      const store = await b.open();
      const clock = new ManualClock(Date.now());
      const outbox = new Outbox({
        store, owner: "periodic", clock, idleMs: 60_000, retry: { baseMs: 1, capMs: 1, maxAttempts: 3 },
        deadRetry: { everyMs: 3_600_000, batch: 2 }, webhook: new WebhookClient({ url: rx.url, secret: "s", clock }),
      });
      try {
        const inbox = new Inbox(store, { clock });
        for (const e of await mos(2000, 3)) await inbox.accept(e);
        for (let i = 0; i < 3; i++) {
          while ((await outbox.runOnce()) > 0);
          await clock.advance(10);
        }
        expect((await store.outboxBacklog()).dead).toBe(3);
        up = true;
        outbox.start();
        await clock.advance(3_600_000);
        expect(await until(async () => (await store.outboxBacklog()).dead === 1, 3_000)).toBe(true); // 2 of 3: the cap
        await clock.advance(3_600_000);
        expect(await until(async () => (await store.outboxBacklog()).dead === 0, 3_000)).toBe(true);
      } finally {
        await outbox.stop();
        rx.stop();
      }
    });
  });
}

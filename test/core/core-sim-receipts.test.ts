/**
 * Receipts through the real core from the simulator's SMSC nodes: from the other site's binds, delivered
 * twice, and before the submit_sm_resp. Each must end as one stored event carrying our client message id,
 * and reach the customer's webhook (the demo receiver, which checks signatures) once per event id.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { smscMessageIdForms, type Event } from "../../contract/index.ts";
import { startReceiver, type Receiver } from "../../tools/demo/receiver.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { backend } from "./helpers/stores.ts";
import { allEvents, postMt, simConfig, startSimCore, until, WEBHOOK_SECRET, type SimCore } from "./helpers/sim-core.ts";

const db = backend("sqlite");
let sim: Simulator;
let core: SimCore;
let receiver: Receiver;
const run = crypto.randomUUID().slice(0, 6);

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 1_000 });
  receiver = startReceiver({ port: 0, secret: WEBHOOK_SECRET });
  core = await startSimCore(simConfig(sim, { storeUrl: db.url, webhookUrl: receiver.url }));
  await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 3_000);
});

afterAll(async () => {
  await core?.stop();
  await receiver?.stop();
  await sim?.stop();
  await db.cleanup();
});

/** Sends `n` MTs asking for receipts; answers client id → SMSC id and the submitting site. */
async function sendMts(tag: string, n: number) {
  const out: { id: string; smscId: string; site: string }[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const id = `${tag}-${run}-${i}`;
      const r = await postMt(core, { to: "4512345678", sender: "12345", text: `receipt test ${i}`, clientMessageId: id, receipt: true });
      expect(r.status).toBe(202);
      out.push({ id, smscId: r.json.smscMessageIds[0], site: r.json.site });
    }),
  );
  return out;
}

const statusEvents = async (ids: string[]) =>
  (await allEvents(core)).filter((e): e is Extract<Event, { type: "message.status" }> => e.type === "message.status" && ids.includes(e.data.clientMessageId ?? ""));

const uncorrelated = async () => (await allEvents(core)).filter((e) => e.type === "message.status" && e.data.clientMessageId === undefined);

describe("core ↔ simulator: receipts", () => {
  test("receipts from the other site's binds correlate to the client message id", async () => {
    sim.configure({ receipts: { otherSiteShare: 1, duplicateShare: 0, earlyShare: 0 } });
    const mts = await sendMts("other", 8);
    const smscIds = new Set(mts.map((m) => m.smscId));
    await sim.ledger.waitFor((l) => l.receiptsAcked.filter((a) => smscIds.has(a.message_id)).length === 8, 3_000);
    for (const m of mts) {
      const emitted = sim.ledger.receiptsEmitted.filter((e) => e.message_id === m.smscId);
      expect(emitted).toHaveLength(1);
      expect(emitted[0]!.site).not.toBe(m.site); // came in on the other site's bind
    }
    const events = await statusEvents(mts.map((m) => m.id));
    expect(events).toHaveLength(8);
    for (const m of mts) {
      const e = events.find((x) => x.data.clientMessageId === m.id)!;
      expect(smscMessageIdForms(m.smscId)).toContain(e.data.smscMessageId!);
      expect(e.data.state).toBe("DELIVERED");
      expect(e.source.site).not.toBe(m.site);
    }
    expect(await uncorrelated()).toEqual([]);
  });

  test("the same deliver_sm twice: one event, one webhook delivery per event id", async () => {
    sim.configure({ receipts: { otherSiteShare: 0.5, duplicateShare: 1, earlyShare: 0 } });
    const mts = await sendMts("dup", 6);
    const smscIds = new Set(mts.map((m) => m.smscId));
    await sim.ledger.waitFor((l) => l.receiptsAcked.filter((a) => smscIds.has(a.message_id)).length === 12, 3_000);
    expect(sim.ledger.receiptsEmitted.filter((e) => smscIds.has(e.message_id) && e.duplicate)).toHaveLength(6);
    const events = await statusEvents(mts.map((m) => m.id));
    expect(events).toHaveLength(6);
    expect(new Set(events.map((e) => e.data.clientMessageId)).size).toBe(6);
    const ids = events.map((e) => e.id);
    await until(() => ids.every((id) => receiver.events.has(id)), 3_000, "webhook deliveries");
    await Bun.sleep(300); // a second delivery would come by now (outbox retry base is 50 ms)
    for (const id of ids) expect(receiver.events.get(id)!.deliveries).toBe(1);
    expect(receiver.badSignatures).toBe(0);
    const m = await (await fetch(`${core.url}/metrics`)).text();
    // A copy that lands while its MT's record is still being committed goes the park path and is caught there.
    const hits = (path: string) => Number(new RegExp(`gsh_dedup_hits_total\\{path="${path}"\\} (\\d+)`).exec(m)?.[1] ?? 0);
    expect(hits("inbox") + hits("parked")).toBeGreaterThanOrEqual(6);
  });

  test("a receipt before its submit_sm_resp is parked, then correlated", async () => {
    sim.configure({ receipts: { otherSiteShare: 0, duplicateShare: 0, earlyShare: 1 } });
    const mts = await sendMts("early", 6);
    const smscIds = new Set(mts.map((m) => m.smscId));
    await sim.ledger.waitFor((l) => l.receiptsAcked.filter((a) => smscIds.has(a.message_id)).length === 6, 3_000);
    expect(sim.ledger.receiptsEmitted.filter((e) => smscIds.has(e.message_id)).every((e) => e.early === true)).toBe(true);
    const events = await statusEvents(mts.map((m) => m.id));
    expect(events).toHaveLength(6);
    for (const m of mts) expect(smscMessageIdForms(m.smscId)).toContain(events.find((e) => e.data.clientMessageId === m.id)!.data.smscMessageId!);
    expect(await uncorrelated()).toEqual([]);
    await until(() => events.every((e) => receiver.events.has(e.id)), 3_000, "webhook deliveries");
  });
});

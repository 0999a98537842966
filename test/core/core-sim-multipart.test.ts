/**
 * Long (multi-segment) MTs through the real core and the real simulator's SMSC, over sockets, on sqlite and
 * PostgreSQL. One node is bound, so a fault on it hits a chosen segment (`skip: 1`: the second):
 *  - a segment refused or throttled: the answer says partial (422/429, `segments` 1 of 3), and so does GET; a
 *    repeat of the id sends only the missing segments, with the same UDH reference, total and sequence numbers;
 *  - the id reused with another message: 409 `id-reused`, nothing sent, the record unchanged;
 *  - the state aggregates the segments' receipts: ENROUTE while one is pending, DELIVERED once all are, a failed
 *    segment makes it failed and is named.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { AUTH, postMt, simConfig, startSimCore, until, type SimCore } from "./helpers/sim-core.ts";

const ESME_RINVDSTADR = 0x0b;
const run = crypto.randomUUID().slice(0, 8);
/** 400 GSM characters: three segments of at most 153. */
const longText = (tag: string) => `${tag} ${crypto.randomUUID()} `.padEnd(400, "x");
let numbers = 0;
const newNumber = () => `4520${String(Math.floor(Math.random() * 1e5)).padStart(5, "0")}${numbers++ % 10}`;

for (const name of BACKENDS) {
  describe(`core ↔ simulator: long MTs (${name})`, () => {
    const db = backend(name);
    let sim: Simulator;
    let core: SimCore;

    beforeAll(async () => {
      sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 2_000 });
      const node = sim.nodes.find((n) => n.name === "smc1.dc3")!;
      core = await startSimCore(simConfig(sim, { storeUrl: db.url, ...(db.schema && { schema: db.schema }), simNodes: false, extraNodes: [node] }));
      await sim.ledger.waitFor((l) => l.activeBinds.length === 1, 3_000);
    });
    afterAll(async () => {
      await core?.stop();
      await sim?.stop();
      await db.cleanup();
    });

    /** What the SMSC took for `to`: each accepted segment's UDH (ref, total, seq) and SMSC id. */
    const taken = (to: string) => sim.ledger.mtAccepted.filter((m) => m.to === to).map((m) => ({ ...m.segment!, id: m.message_id }));
    const status = async (id: string) => (await (await fetch(`${core.url}/v1/messages/${id}`, { headers: AUTH })).json()) as any;

    test("2nd of 3 segments refused → 422 partial (also at GET); the repeat sends segments 2 and 3 only, same UDH ref → 202; state ENROUTE until every segment is DELIVERED", async () => {
      const to = newNumber();
      const body = { to, sender: "12345", text: longText("refused"), clientMessageId: `refused-${run}-${name}`, receipt: true };
      sim.addFault({ target: "smc1.dc3", kind: "result", result: ESME_RINVDSTADR, skip: 1, count: 1 });
      const first = await postMt(core, body);
      expect(first.status).toBe(422);
      expect(first.outcome).toMatchObject({ status: "rejected", segments: { total: 3, accepted: 1 } });
      expect(taken(to).map((s) => s.seq)).toEqual([1]);
      // The first segment's receipt arrives: the message is not DELIVERED while two segments are missing.
      await until(async () => (await status(body.clientMessageId)).receipts.length === 1, 3_000, "segment 1's receipt");
      const partial = await status(body.clientMessageId);
      expect(partial).toMatchObject({ state: "ENROUTE", segments: { total: 3, accepted: 1, parts: [{ seq: 1, state: "DELIVERED" }, { seq: 2 }, { seq: 3 }] } });
      expect(partial.finalState).toBeUndefined();
      expect(partial.send).toMatchObject({ status: "rejected", segments: { total: 3, accepted: 1 } });

      const again = await postMt(core, body);
      expect(again.status).toBe(202);
      expect(again.json).toMatchObject({ status: "accepted", deduplicated: false, segments: { total: 3, accepted: 3 } });
      const segs = taken(to);
      expect(segs.map((s) => s.seq)).toEqual([1, 2, 3]); // segment 1 once: only the missing ones went
      expect(new Set(segs.map((s) => s.ref)).size).toBe(1);
      expect(segs.every((s) => s.total === 3)).toBe(true);
      expect(again.json.smscMessageIds).toEqual(segs.map((s) => s.id));

      // A third time: answered from the record, nothing sent.
      const third = await postMt(core, body);
      expect(third.status).toBe(202);
      expect(third.json).toMatchObject({ deduplicated: true, smscMessageIds: segs.map((s) => s.id), segments: { total: 3, accepted: 3 } });
      expect(taken(to)).toHaveLength(3);

      await until(async () => (await status(body.clientMessageId)).receipts.length === 3, 3_000, "every segment's receipt");
      expect(await status(body.clientMessageId)).toMatchObject({ state: "DELIVERED", finalState: "DELIVERED", segments: { total: 3, accepted: 3 }, send: { status: "accepted" } });
    });

    test("2nd of 3 segments throttled until the wait ends → 429 partial; once the SMSC takes it again the repeat sends the rest → 202", async () => {
      const to = newNumber();
      const body = { to, sender: "12345", text: longText("throttled"), clientMessageId: `throttled-${run}-${name}` };
      const fault = sim.addFault({ target: "smc1.dc3", kind: "throttle", skip: 1 });
      const first = await postMt(core, body);
      sim.removeFault(fault);
      expect(first.status).toBe(429);
      expect(first.outcome).toMatchObject({ status: "rejected", kind: "throttled", segments: { total: 3, accepted: 1 } });
      expect((await status(body.clientMessageId)).segments).toMatchObject({ total: 3, accepted: 1 });
      const again = await postMt(core, body);
      expect(again.status).toBe(202);
      const segs = taken(to);
      expect(segs.map((s) => s.seq)).toEqual([1, 2, 3]);
      expect(new Set(segs.map((s) => s.ref)).size).toBe(1);
    });

    test("the id reused with another text → 409 id-reused and nothing sent (after a complete and after a partial send); the same text → as before", async () => {
      const to = newNumber();
      const done = { to, sender: "12345", text: longText("done"), clientMessageId: `reused-${run}-${name}` };
      expect((await postMt(core, done)).status).toBe(202);
      const before = taken(to).length;
      const other = await postMt(core, { ...done, text: longText("other") });
      expect(other.status).toBe(409);
      expect(other.json).toMatchObject({ type: "/problems/id-reused", status: 409, outcome: { status: "rejected", kind: "conflict" } });
      expect(other.headers.get("content-type")).toBe("application/problem+json");
      expect((await postMt(core, { ...done, to: newNumber() })).status).toBe(409); // another destination is another message too
      expect(taken(to)).toHaveLength(before);
      expect((await status(done.clientMessageId)).send).toMatchObject({ status: "accepted" }); // the record is the first message's
      expect((await postMt(core, done)).json).toMatchObject({ status: "accepted", deduplicated: true });

      const to2 = newNumber();
      const part = { to: to2, sender: "12345", text: longText("part"), clientMessageId: `reused-part-${run}-${name}` };
      sim.addFault({ target: "smc1.dc3", kind: "result", result: ESME_RINVDSTADR, skip: 1, count: 1 });
      expect((await postMt(core, part)).status).toBe(422);
      expect((await postMt(core, { ...part, text: longText("part other") })).status).toBe(409);
      expect(taken(to2).map((s) => s.seq)).toEqual([1]);
      expect((await problemType()).status).toBe(200);
    });

    test("a failed segment makes the message failed and is named; every receipt is kept", async () => {
      const to = newNumber();
      const body = { to, sender: "12345", text: longText("failed"), clientMessageId: `failed-${run}-${name}`, receipt: true };
      sim.addFault({ target: "smc1.dc3", kind: "result", result: ESME_RINVDSTADR, skip: 1, count: 1 });
      expect((await postMt(core, body)).status).toBe(422);
      await until(async () => (await status(body.clientMessageId)).receipts.length === 1, 3_000, "segment 1's receipt");
      sim.configure({ receipts: { mix: { UNDELIVERABLE: 1 } } });
      try {
        expect((await postMt(core, body)).status).toBe(202);
        await until(async () => (await status(body.clientMessageId)).receipts.length === 3, 3_000, "every segment's receipt");
      } finally {
        sim.configure({ receipts: { mix: { DELIVERED: 1 } } });
      }
      const s = await status(body.clientMessageId);
      expect(s).toMatchObject({ state: "UNDELIVERABLE", finalState: "UNDELIVERABLE" });
      expect(s.segments.parts.map((p: any) => p.state)).toEqual(["DELIVERED", "UNDELIVERABLE", "UNDELIVERABLE"]);
      expect(s.receipts.map((r: any) => r.state).sort()).toEqual(["DELIVERED", "UNDELIVERABLE", "UNDELIVERABLE"]);
    });

    const problemType = () => fetch(`${core.url}/problems/id-reused`);
  });
}

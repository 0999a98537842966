/**
 * Concatenated MOs through the real core from the simulator (longMo: UDH 8/16-bit or SAR parts), on sqlite and
 * PostgreSQL: parts out of order, on binds of both sites, duplicated → one MO event with the whole text, every
 * part acknowledged after its commit; the same long text sent again → an event each, the later ones marked
 * possibleDuplicate; every part redelivered after late acks (a stalled store) → one event. Then two cores on one PostgreSQL schema,
 * each receiving some of the parts of the same MOs → one event per MO.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Event } from "../../contract/index.ts";
import { startSimulator, type LongMo, type MoInjection, type Simulator } from "../../sim/index.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { allEvents, simConfig, startSimCore, startTwoCores, type SimCore, type TwoCores } from "./helpers/sim-core.ts";

const received = async (core: SimCore, text: string) =>
  (await allEvents(core)).filter((e): e is Extract<Event, { type: "message.received" }> => e.type === "message.received" && e.data.text === text);
const long = (tag: string, n = 300) => `${tag} ${crypto.randomUUID()} `.padEnd(n, "·"); // "·" is not ASCII: UTF-16

/** Injects an MO and waits until the simulator has every one of its deliveries acknowledged. */
async function deliverAll(sim: Simulator, mo: MoInjection, deliveries: number): Promise<string> {
  const id = sim.injectMo(mo);
  await sim.ledger.waitFor((l) => l.mosAcked.filter((a) => a.message_id === id).length === deliveries, 5_000);
  return id;
}

for (const name of BACKENDS) {
  describe(`core ↔ simulator: concatenated MOs (${name})`, () => {
    const db = backend(name);
    let sim: Simulator;
    let core: SimCore;

    beforeAll(async () => {
      sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 2_000, longMo: "udh8" });
      core = await startSimCore(simConfig(sim, { storeUrl: db.url, ...(db.schema && { schema: db.schema }) }));
      await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 3_000);
    });
    afterAll(async () => {
      await core?.stop();
      await sim?.stop();
      await db.cleanup();
    });

    test("UDH 8/16-bit and SAR parts, out of order, on binds of both sites → one MO with the whole text", async () => {
      for (const longMo of ["udh8", "udh16", "sar"] as LongMo[]) {
        const text = long(longMo); // 600 octets of UTF-16: 5 parts; multi-octet characters straddle parts
        const id = await deliverAll(sim, { from: "4512345678", to: "12345", text, longMo, partOrder: [5, 3, 1, 4, 2], partNodes: ["smc1.dc3", "smc2.bos", "smc1.bos", "smc2.dc3", "smc1.dc3"] }, 5);
        const evs = await received(core, text);
        expect(evs).toHaveLength(1);
        expect(evs[0]!.data.from).toBe("+4512345678");
        expect(evs[0]!.source).toMatchObject({ channel: "smpp" }); // the bind of whichever part completed it
        expect(new Set(sim.ledger.mosEmitted.filter((e) => e.message_id === id).map((e) => e.site))).toEqual(new Set(["dc3", "bos"]));
      }
      expect(sim.ledger.redeliveries).toHaveLength(0);
      expect(await (await fetch(`${core.url}/metrics`)).text()).toMatch(/gsh_mo_groups_total\{outcome="completed"\} 3/);
    });

    test("an emoji split across two parts (UTF-16 surrogate pair straddling the cut)", async () => {
      const text = `${"é".repeat(66)}👋 ${crypto.randomUUID()}`; // 134-octet parts: 67 code units; the emoji is units 67 and 68
      await deliverAll(sim, { from: "4512345678", to: "12345", text, longMo: "udh8", partOrder: [2, 1] }, 2);
      expect(await received(core, text)).toHaveLength(1);
    });

    test("a part delivered twice within its group, and once more after the group completed → one event", async () => {
      const text = long("dup");
      await deliverAll(sim, { from: "4512345678", to: "12345", text, concatRef: 99, partOrder: [1, 2, 1, 3, 4, 5, 2] }, 7);
      // A second copy coming before the group completes is the part stored already; one coming after starts a
      // group that never completes and, as every part of it was delivered, never comes out (mo-parts-store.test.ts).
      expect(await received(core, text)).toHaveLength(1);
    });

    test("the same long text sent again (the reference reused, other binds; then another reference and scheme), each answered in time → three events, the later two marked possibleDuplicate of the first", async () => {
      const text = long("again");
      await deliverAll(sim, { from: "4512345678", to: "12345", text, concatRef: 98 }, 5);
      await deliverAll(sim, { from: "4512345678", to: "12345", text, concatRef: 98, node: "smc2.bos" }, 5);
      await deliverAll(sim, { from: "4512345678", to: "12345", text, longMo: "sar", concatRef: 1234 }, 5);
      const evs = await received(core, text);
      expect(evs).toHaveLength(3);
      expect(evs[0]!.data.possibleDuplicate).toBeUndefined();
      for (const e of evs.slice(1)) expect(e.data).toMatchObject({ possibleDuplicate: true, duplicateOf: evs[0]!.id });
      expect(await (await fetch(`${core.url}/metrics`)).text()).toMatch(/gsh_mo_possible_duplicates_total \d+/);
    });

    test("a short MO stays a single deliver_sm and a single event", async () => {
      const text = `short ${crypto.randomUUID().slice(0, 8)}`;
      await deliverAll(sim, { from: "4512345678", to: "12345", text }, 1);
      expect(await received(core, text)).toHaveLength(1);
    });
  });
}

describe("two cores on one PostgreSQL schema, parts of each MO spread over both", () => {
  const db = backend("postgres");
  let two: TwoCores;
  let sim: Simulator;
  let a: SimCore;
  let b: SimCore;
  let sessionsA: ReadonlySet<number>;

  beforeAll(async () => {
    two = await startTwoCores(db, { enquireLinkMs: 0, deliverAckTimeoutMs: 2_000, longMo: "udh16" });
    ({ sim, a, b, sessionsA } = two);
  });
  afterAll(async () => {
    await two?.stop();
    await db.cleanup();
  });

  test("each MO is one event, seen by both cores, though each core got only some of its parts", async () => {
    // The simulator picks one of the 8 binds at random per part: with 12 MOs of 5 parts, some MO is split
    // between the cores unless 1 in 4^48 bad luck; all MOs are injected at once so the cores race too.
    const texts = Array.from({ length: 12 }, (_, i) => long(`two cores ${i}`));
    const ids = texts.map((text) => sim.injectMo({ from: "4512345678", to: "12345", text }));
    await sim.ledger.waitFor((l) => l.mosAcked.filter((x) => ids.includes(x.message_id)).length === ids.length * 5, 5_000);
    const split = ids.filter((id) => {
      const by = sim.ledger.mosAcked.filter((x) => x.message_id === id).map((x) => sessionsA.has(x.sessionId!));
      return by.includes(true) && by.includes(false);
    });
    expect(split.length).toBeGreaterThan(0);
    for (const text of texts) {
      const seenA = await received(a, text);
      expect(seenA).toHaveLength(1);
      expect((await received(b, text)).map((e) => e.id)).toEqual(seenA.map((e) => e.id));
    }
  });
});

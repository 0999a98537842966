/**
 * `binds.mode: "pair"` against the simulator, over real sockets: each node bound as a transmitter plus a
 * receiver (eight binds), MTs over the transmitters, and MOs and receipts accepted on the receiver halves:
 * stored once, then acknowledged there. Nothing else runs pair mode against a real SMSC.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Event } from "../../contract/index.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { backend } from "./helpers/stores.ts";
import { allEvents, boundNodes, moText, postMt, simConfig, startSimCore, until, type SimCore } from "./helpers/sim-core.ts";

const db = backend("sqlite");
let sim: Simulator;
let core: SimCore;

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 1_000 });
  core = await startSimCore(simConfig(sim, { storeUrl: db.url, binds: { mode: "pair" } }));
  await sim.ledger.waitFor((l) => l.activeBinds.length === 8, 3_000);
  await until(() => boundNodes(core).length === 4, 2_000, "four nodes bound");
});

afterAll(async () => {
  await core?.stop();
  await sim?.stop();
  await db.cleanup();
});

const receiverSessions = () => new Set(sim.ledger.activeBinds.filter((b) => b.bindType === "receiver").map((b) => b.sessionId));

describe("core ↔ simulator: transmitter + receiver pairs", () => {
  test("every node is bound twice: one transmitter, one receiver", () => {
    const byNode = new Map<string, string[]>();
    for (const b of sim.ledger.activeBinds) byNode.set(b.node, [...(byNode.get(b.node) ?? []), b.bindType].sort());
    expect([...byNode.keys()].sort()).toEqual(["smc1.bos", "smc1.dc3", "smc2.bos", "smc2.dc3"]);
    for (const kinds of byNode.values()) expect(kinds).toEqual(["receiver", "transmitter"]);
  });

  test("MOs on every node are stored once and acknowledged on the receiver halves", async () => {
    const texts = sim.nodes.map((n) => ({ node: n.name, text: moText(`pair mo on ${n.name}`) }));
    const ids = texts.map((t) => sim.injectMo({ from: "4512345678", to: "12345", text: t.text, node: t.node }));
    await sim.ledger.waitFor((l) => ids.every((id) => l.mosAcked.some((a) => a.message_id === id)), 3_000);
    const rx = receiverSessions();
    const acks = sim.ledger.mosAcked.filter((a) => ids.includes(a.message_id));
    expect(acks).toHaveLength(4);
    expect(acks.every((a) => a.sessionId !== undefined && rx.has(a.sessionId))).toBe(true);
    const events = await allEvents(core);
    for (const t of texts) expect(events.filter((e) => e.type === "message.received" && e.data.text === t.text)).toHaveLength(1);
  });

  test("an MT goes out on a transmitter; its receipt is accepted on a receiver and correlated", async () => {
    const id = `pair-${crypto.randomUUID().slice(0, 8)}`;
    const r = await postMt(core, { to: "+4512345678", sender: "12345", text: "pair mode MT", receipt: true, clientMessageId: id });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ status: "accepted", messageId: id });
    const smscId = r.json.smscMessageIds[0] as string;
    const tx = new Set(sim.ledger.activeBinds.filter((b) => b.bindType === "transmitter").map((b) => `${b.node}`));
    expect(tx.has(r.json.node)).toBe(true);
    await sim.ledger.waitFor((l) => l.receiptsAcked.some((a) => a.message_id === smscId), 3_000);
    const rx = receiverSessions();
    expect(sim.ledger.receiptsAcked.filter((a) => a.message_id === smscId).every((a) => a.sessionId !== undefined && rx.has(a.sessionId))).toBe(true);
    await until(async () => (await allEvents(core)).some((e) => e.type === "message.status" && (e as Extract<Event, { type: "message.status" }>).data.clientMessageId === id), 3_000, "receipt stored");
  });
});

/**
 * Two cores (two gateways, each binding every node) sharing one PostgreSQL schema. The simulator delivers MOs
 * with the same content to binds of both cores: each is one event (the later ones marked possibleDuplicate of
 * the first, whichever core stored it), and both cores serve them. The copies are sent in pairs at once so the
 * two cores also race on the insert.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Event } from "../../contract/index.ts";
import type { Simulator } from "../../sim/index.ts";
import { backend } from "./helpers/stores.ts";
import { allEvents, moText, postMt, startTwoCores, type SimCore, type TwoCores } from "./helpers/sim-core.ts";

const db = backend("postgres");
let two: TwoCores;
let sim: Simulator;
let a: SimCore;
let b: SimCore;
let sessionsA: ReadonlySet<number>;

beforeAll(async () => {
  two = await startTwoCores(db, { enquireLinkMs: 0, deliverAckTimeoutMs: 2_000 });
  ({ sim, a, b, sessionsA } = two);
});

afterAll(async () => {
  await two?.stop();
  await db.cleanup();
});

const withText = async (core: SimCore, text: string) => (await allEvents(core)).filter((e): e is Extract<Event, { type: "message.received" }> => e.type === "message.received" && e.data.text === text);

describe("two cores on one PostgreSQL schema", () => {
  test("each core binds every node", () => {
    const perNode = new Map<string, number>();
    for (const x of sim.ledger.activeBinds) perNode.set(x.node, (perNode.get(x.node) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([2, 2, 2, 2]);
  });

  test("MOs with the same words received by both cores → one event each, the same on both, the later ones marked possibleDuplicate", async () => {
    const text = moText("two cores");
    const ids: string[] = [];
    const ackedBy = () => {
      const acks = sim.ledger.mosAcked.filter((x) => ids.includes(x.message_id));
      return { a: acks.filter((x) => sessionsA.has(x.sessionId!)).length, b: acks.filter((x) => !sessionsA.has(x.sessionId!)).length, all: acks.length };
    };
    // The simulator picks a bind at random among the 8: send pairs until both cores have answered copies (P(miss) < 1e-5).
    for (let round = 0; round < 10 && (ackedBy().a === 0 || ackedBy().b === 0); round++) {
      ids.push(sim.injectMo({ from: "4512345678", to: "12345", text }), sim.injectMo({ from: "4512345678", to: "12345", text }));
      await sim.ledger.waitFor(() => ackedBy().all === ids.length, 3_000);
    }
    expect(ackedBy().a).toBeGreaterThan(0);
    expect(ackedBy().b).toBeGreaterThan(0);
    expect(sim.ledger.redeliveries).toHaveLength(0); // every copy answered OK the first time
    const seenA = await withText(a, text);
    const seenB = await withText(b, text);
    expect(seenA).toHaveLength(ids.length);
    expect(seenB.map((e) => e.id)).toEqual(seenA.map((e) => e.id));
    expect(seenA.filter((e) => !e.data.possibleDuplicate)).toHaveLength(1);
    expect(new Set(seenA.flatMap((e) => e.data.duplicateOf ?? []))).toEqual(new Set([seenA.find((e) => !e.data.possibleDuplicate)!.id]));
    let marked = 0;
    for (const c of [a, b]) {
      const m = await (await fetch(`${c.url}/metrics`)).text();
      marked += Number(/gsh_mo_possible_duplicates_total (\d+)/.exec(m)?.[1] ?? 0);
    }
    expect(marked).toBe(ids.length - 1);
  });

  test("receipts for an MT sent by one core are correlated when they arrive at the other", async () => {
    sim.configure({ receipts: { otherSiteShare: 0.5, duplicateShare: 0, earlyShare: 0 } });
    const ids = Array.from({ length: 16 }, (_, i) => `two-${crypto.randomUUID().slice(0, 6)}-${i}`);
    const smsc: string[] = [];
    for (const id of ids) {
      const r = await fetch(`${a.url}/v1/messages`, {
        method: "POST",
        headers: { Authorization: "Bearer test-token-123", "content-type": "application/json" },
        body: JSON.stringify({ to: "4512345678", sender: "12345", text: "two cores MT", clientMessageId: id, receipt: true }),
      });
      expect(r.status).toBe(202);
      smsc.push(((await r.json()) as { smscMessageIds: string[] }).smscMessageIds[0]!);
    }
    await sim.ledger.waitFor((l) => smsc.every((s) => l.receiptsAcked.some((x) => x.message_id === s)), 3_000);
    const onB = sim.ledger.receiptsAcked.filter((x) => smsc.includes(x.message_id) && !sessionsA.has(x.sessionId!));
    const events = (await allEvents(b)).filter((e) => e.type === "message.status" && ids.includes(e.data.clientMessageId ?? ""));
    expect(events).toHaveLength(16);
    // Not a test that cannot fail: the receipts landed on both cores (random among 8 binds, P(all 16 on A) ≈ 2e-5).
    expect(onB.length).toBeGreaterThan(0);
  });

  test("the same MT id posted to both cores at once is sent once: one core sends, the other answers its record", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `both-${crypto.randomUUID().slice(0, 6)}-${i}`);
    const t0 = Date.now();
    // Half name the id in the body, half in an Idempotency-Key header.
    const post = (core: SimCore, id: string, i: number) => {
      const body = { to: "4512345678", sender: "12345", text: `both cores ${id}` };
      return i % 2 ? postMt(core, { ...body, clientMessageId: id }) : postMt(core, body, { "Idempotency-Key": id });
    };
    const answers = await Promise.all(ids.map((id, i) => Promise.all([a, b].map((core) => post(core, id, i)))));
    const accepted = sim.ledger.mtAccepted.filter((m) => m.at >= t0 && m.via === "smpp");
    expect(accepted).toHaveLength(ids.length);
    for (const [x, y] of answers) {
      expect([x!.status, y!.status]).toEqual([202, 202]);
      expect([x!.json.deduplicated, y!.json.deduplicated].sort()).toEqual([false, true]); // one sent, one the first outcome again
      expect(x!.json.smscMessageIds).toEqual(y!.json.smscMessageIds);
    }
    // Every claim was given back: any core could take each id now.
    for (const id of ids) expect((await a.gateway.store.correlate([{ kind: "claim", clientMessageId: id, owner: "probe", staleMs: Date.now() }], Date.now()))[0]).toBe(true);
  });
});

/**
 * Faults at the wire and at the HTTP edge of the core, against the simulator: a malformed PDU, half a PDU then
 * silence (dead-peer detection through enquire_link), half a PDU then a cut, each close that one session only,
 * the MO it carried arrives on another bind and is stored once, the other binds and the process carry on, and
 * the node rebinds after the floor. Bad input to POST /v1/messages → 400 problem+json; with no bind active →
 * 503 at once with Retry-After.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../contract/index.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { backend } from "./helpers/stores.ts";
import { allEvents, boundNodes, moText, postMt, simConfig, startSimCore, until, type SimCore } from "./helpers/sim-core.ts";

const db = backend("sqlite");
const clock = new ManualClock(0);
let sim: Simulator;
let core: SimCore;

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 400 });
  // enquire_link after 150 ms idle, answer due within 300 ms: a silent peer is found in under half a second.
  core = await startSimCore(simConfig(sim, { storeUrl: db.url, binds: { enquireLinkMs: 150, responseTimeoutMs: 300 } }), { bindClock: clock, random: () => 0 });
  await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 3_000);
  await until(() => boundNodes(core).length === 4, 2_000, "all bound"); // the core has read every bind_resp
});

afterAll(async () => {
  await core?.stop();
  await sim?.stop();
  await db.cleanup();
});

const stateOf = (node: string) => core.gateway.binds.list().find((b) => b.node === node)!.state;
const moStoredOnce = async (text: string) => (await allEvents(core)).filter((e) => e.type === "message.received" && e.data.text === text).length;

/** Spoils the next PDU smc → core on `node` with `kind`, carried by an MO; checks the damage stays on that node. */
async function spoil(node: "smc1.dc3" | "smc2.dc3" | "smc1.bos", kind: "malformed" | "partial" | "drop", lost: RegExp) {
  sim.addFault({ target: node, kind, count: 1 });
  const text = moText(`${kind} carrier`);
  const id = sim.injectMo({ from: "4512345678", to: "12345", text, node });
  await until(() => stateOf(node).kind === "backoff", 3_000, `${node} dropped`);
  expect((stateOf(node) as { lastError: string }).lastError).toMatch(lost);
  // The MO is redelivered by the SMSC on another bind and stored once.
  await sim.ledger.waitFor((l) => l.mosAcked.some((a) => a.message_id === id && a.node !== node), 3_000);
  expect(await moStoredOnce(text)).toBe(1);
  // The other binds are untouched and carry MTs; the process is fine.
  expect(boundNodes(core)).toHaveLength(3);
  const r = await postMt(core, { to: "4512345678", sender: "12345", text: `after ${kind}` });
  expect(r.status).toBe(202);
  expect(r.json.node).not.toBe(node);
  expect((await fetch(`${core.url}/healthz`)).status).toBe(200);
}

/** Advances the bind clock past the floor and waits for all four to be bound again. */
async function rebindAll() {
  await clock.advance(30_001);
  await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 3_000);
  await until(() => boundNodes(core).length === 4, 2_000, "all bound");
}

describe("core ↔ simulator: wire faults", () => {
  test("malformed PDU: that session closes (bad length), the others carry on, the node rebinds later", async () => {
    const attempts0 = sim.ledger.bindAttempts.filter((a) => a.node === "smc1.dc3").length;
    await spoil("smc1.dc3", "malformed", /bad_length|malformed_pdu/);
    await rebindAll();
    expect(sim.ledger.bindAttempts.filter((a) => a.node === "smc1.dc3").length).toBe(attempts0 + 1);
  });

  test("half a PDU then silence: enquire_link goes unanswered, the session is declared dead", async () => {
    await spoil("smc2.dc3", "partial", /dead_peer/);
    await rebindAll();
  });

  test("half a PDU then a cut: the session is lost, nothing else", async () => {
    await spoil("smc1.bos", "drop", /peer_closed/);
    await rebindAll();
  });
});

describe("core HTTP API on the live gateway", () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${core.url}/v1/messages`, { method: "POST", headers: { Authorization: "Bearer test-token-123", "content-type": "application/json", ...headers }, body });

  test("bad input → 400 application/problem+json naming the field; nothing sent", async () => {
    const sent0 = sim.ledger.mtAccepted.length + sim.ledger.mtRejected.length;
    const cases: [string, Record<string, string>, RegExp][] = [
      ["{not json", {}, /JSON/],
      [JSON.stringify({ to: "12", sender: "12345", text: "x" }), {}, /to/],
      [JSON.stringify({ to: "4512345678", sender: "12345", text: "" }), {}, /text/],
      [JSON.stringify({ to: "4512345678", sender: "12345", text: "x", bogus: 1 }), {}, /bogus|unrecognized/i],
      [JSON.stringify({ to: "4512345678", sender: "12345", text: "x", clientMessageId: "a" }), { "Idempotency-Key": "b" }, /differ/],
    ];
    for (const [body, headers, detail] of cases) {
      const r = await post(body, headers);
      expect(r.status).toBe(400);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      const p = (await r.json()) as { status: number; detail: string; title: string };
      expect(p.status).toBe(400);
      expect(p.detail).toMatch(detail);
    }
    expect((await fetch(`${core.url}/v1/messages`, { method: "POST", body: "{}" })).status).toBe(401);
    expect(sim.ledger.mtAccepted.length + sim.ledger.mtRejected.length).toBe(sent0);
  });

  test("no bind active → 503 at once with Retry-After; /readyz 503; back after the floor", async () => {
    const down = [sim.addFault({ target: "dc3", kind: "down" }), sim.addFault({ target: "bos", kind: "down" })];
    await until(() => boundNodes(core).length === 0, 3_000, "all binds lost");
    const t0 = performance.now();
    const r = await post(JSON.stringify({ to: "4512345678", sender: "12345", text: "nowhere to go" }));
    const ms = performance.now() - t0;
    expect(r.status).toBe(503);
    expect(r.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(ms).toBeLessThan(250); // not queued, not waiting for a slot
    expect(((await r.json()) as { outcome: { status: string } }).outcome.status).toBe("rejected");
    expect((await fetch(`${core.url}/readyz`)).status).toBe(503);
    for (const id of down) sim.removeFault(id);
    await sim.settled();
    await rebindAll();
    expect((await fetch(`${core.url}/readyz`)).status).toBe(200);
  });
});

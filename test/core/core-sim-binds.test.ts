/**
 * The core against the simulator, over real sockets: one bind per node (four), a killed node carries no MTs
 * while the other three do, and its rebind waits out the 30 s floor (+ jitter), driven by a ManualClock on
 * the bind manager, and throttle pauses by another on the MT router, while SMPP sessions and the store run on
 * real time.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../contract/index.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import type { NodeName } from "../../sim/types.ts";
import { backend } from "./helpers/stores.ts";
import { boundNodes, postMt, simConfig, startSimCore, until, type SimCore } from "./helpers/sim-core.ts";

const ALL: NodeName[] = ["smc1.bos", "smc1.dc3", "smc2.bos", "smc2.dc3"];
const db = backend("sqlite");
const clock = new ManualClock(0);
const routerClock = new ManualClock(0);
let sim: Simulator;
let core: SimCore;

const mt = (i: number) => ({ to: "+4512345678", sender: "12345", text: `binds test ${i}` });
const attemptsOn = (node: string) => sim.ledger.bindAttempts.filter((a) => a.node === node).length;
const connectionsTo = (node: string) => sim.ledger.connections.filter((c) => c.node === node).length;

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 1_000 });
  // jitter 1 s, random 0.5 → the next attempt is 30.5 s after the last one started.
  core = await startSimCore(simConfig(sim, { storeUrl: db.url }), { bindClock: clock, routerClock, random: () => 0.5 });
});

afterAll(async () => {
  await core?.stop();
  await sim?.stop();
  await db.cleanup();
});

describe("core ↔ simulator: binds", () => {
  test("binds to all four nodes, one transceiver each", async () => {
    await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 3_000);
    await until(() => boundNodes(core).length === 4, 2_000, "four bound");
    expect(sim.ledger.activeBinds.map((b): string => b.node).sort()).toEqual(ALL);
    expect(sim.ledger.activeBinds.every((b) => b.bindType === "transceiver" && b.system_id === "demo")).toBe(true);
    expect(sim.ledger.bindAttempts.map((a) => a.outcome)).toEqual(["ok", "ok", "ok", "ok"]);
    const r = await fetch(`${core.url}/readyz`);
    expect(r.status).toBe(200);
  });

  test("a killed node: MTs flow over the other three, none to it; no rebind before the floor, then rebound", async () => {
    const fid = sim.addFault({ target: "smc1.dc3", kind: "down" });
    await until(() => core.gateway.binds.list().find((b) => b.node === "smc1.dc3")!.state.kind === "backoff", 2_000, "smc1.dc3 in backoff");
    const killedAt = Date.now();
    expect(core.gateway.binds.list().find((b) => b.node === "smc1.dc3")!.state).toMatchObject({ kind: "backoff", nextAttemptAt: 30_501 }); // more than the floor, plus jitter

    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => postMt(core, mt(i))));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(202));
    const after = sim.ledger.mtAccepted.filter((m) => m.at >= killedAt);
    expect(after).toHaveLength(30);
    expect(after.filter((m) => m.node === "smc1.dc3")).toHaveLength(0);
    expect(new Set(after.map((m) => m.node)).size).toBe(3); // least in-flight spreads them over all three
    expect(results.every((r) => r.json.node !== "smc1.dc3")).toBe(true);

    // The node comes back at once, but the core must wait out the floor: an early attempt would show in the ledger.
    sim.removeFault(fid);
    await sim.settled();
    const attempts0 = attemptsOn("smc1.dc3");
    const conns0 = connectionsTo("smc1.dc3");
    await clock.advance(29_900);
    await Bun.sleep(200);
    expect(attemptsOn("smc1.dc3")).toBe(attempts0);
    expect(connectionsTo("smc1.dc3")).toBe(conns0);
    expect(sim.ledger.activeBinds).toHaveLength(3);

    await clock.advance(600); // 30 500: exactly floor + jitter, one ms short
    await Bun.sleep(100);
    expect(connectionsTo("smc1.dc3")).toBe(conns0);

    await clock.advance(1); // 30 501
    await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 3_000);
    expect(attemptsOn("smc1.dc3")).toBe(attempts0 + 1);
    await until(() => boundNodes(core).length === 4, 2_000, "rebound");
    const m = await (await fetch(`${core.url}/metrics`)).text();
    expect(m).toMatch(/gsh_rebinds_total\{node="smc1.dc3"\} 1/);
  });

  test("an SMSC-initiated unbind: answered, and the rebind waits for the floor", async () => {
    const before = sim.ledger.unbinds.length;
    const attempts0 = attemptsOn("smc2.bos");
    const t0 = clock.now();
    sim.addFault({ target: "smc2.bos", kind: "unbind" });
    await sim.ledger.waitFor((l) => l.activeBinds.length === 3, 2_000);
    expect(sim.ledger.unbinds.slice(before)).toEqual([expect.objectContaining({ node: "smc2.bos", by: "smsc" })]);
    await until(() => core.gateway.binds.list().find((b) => b.node === "smc2.bos")!.state.kind === "backoff", 2_000, "smc2.bos in backoff");
    // Its last attempt started at manual time 0: the floor is already past, so only the jitter (500 ms) remains.
    const next = (core.gateway.binds.list().find((b) => b.node === "smc2.bos")!.state as { nextAttemptAt: number }).nextAttemptAt;
    expect(next).toBe(Math.max(t0, 0 + 30_001) + 500);
    // MTs still go out meanwhile, on the three others.
    const r = await postMt(core, mt(100));
    expect(r.status).toBe(202);
    expect(r.json.node).not.toBe("smc2.bos");
    await clock.advance(499);
    await Bun.sleep(100);
    expect(attemptsOn("smc2.bos")).toBe(attempts0);
    await clock.advance(1);
    await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 3_000);
    expect(attemptsOn("smc2.bos")).toBe(attempts0 + 1);
  });

  test("an unbind right after a rebind: the next attempt is a full floor after the last one started", async () => {
    const attempts0 = attemptsOn("smc2.bos");
    sim.addFault({ target: "smc2.bos", kind: "unbind" });
    await until(() => core.gateway.binds.list().find((b) => b.node === "smc2.bos")!.state.kind === "backoff", 2_000, "smc2.bos in backoff");
    await clock.advance(30_000);
    await Bun.sleep(150);
    expect(attemptsOn("smc2.bos")).toBe(attempts0);
    await clock.advance(501);
    await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 3_000);
    expect(attemptsOn("smc2.bos")).toBe(attempts0 + 1);
  });

  test("a throttling node: its MTs go to the other binds", async () => {
    const fid = sim.addFault({ target: "smc1.bos", kind: "throttle" });
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => postMt(core, mt(200 + i))));
    sim.removeFault(fid);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
    const accepted = sim.ledger.mtAccepted.filter((m) => m.at >= t0);
    expect(accepted).toHaveLength(20);
    expect(accepted.filter((m) => m.node === "smc1.bos")).toHaveLength(0);
    const throttled = sim.ledger.mtRejected.filter((m) => m.at >= t0 && m.node === "smc1.bos");
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((m) => m.result === 0x58)).toBe(true);
    // Those that met the throttle record it as an attempt, then were accepted elsewhere.
    const retried = results.filter((r) => r.json.attempts.some((a: { outcome: string }) => a.outcome === "throttled"));
    expect(retried.length).toBe(throttled.length);
    expect(retried.every((r) => r.json.node !== "smc1.bos")).toBe(true);
  });

  test("every node throttling: 429 with Retry-After and the SMSC's status, each node asked again when its pause ends", async () => {
    await routerClock.advance(1_000); // the pause of the test before is over
    const faults = ALL.map((target) => sim.addFault({ target, kind: "throttle" }));
    const t0 = Date.now();
    const asked = () => ALL.map((node) => sim.ledger.mtRejected.filter((m) => m.at >= t0 && m.node === node).length);
    let throttledAnswers = 0;
    const sub = core.gateway.router.on("submit", (e) => void (e.outcome === "throttled" && throttledAnswers++));
    try {
      const pending = postMt(core, mt(300)); // slot wait: 2 s from router time 1 000
      // Each node asked once and paused (until 2 000): the router waits for the first pause to end.
      await until(() => throttledAnswers === 4, 3_000, "every node throttled once");
      await routerClock.advance(999);
      await Bun.sleep(100);
      expect(asked()).toEqual([1, 1, 1, 1]); // never while paused
      await routerClock.advance(1); // 2 000: every pause ends, each node is asked again (paused until 3 000)
      await until(() => throttledAnswers === 8, 3_000, "every node throttled twice");
      expect(asked()).toEqual([2, 2, 2, 2]);
      await routerClock.advance(1_000); // 3 000: the wait's deadline, as the pauses end: answered, not asked again
      const r = await pending;
      for (const f of faults) sim.removeFault(f);
      expect(r.status).toBe(429);
      expect(r.headers.get("retry-after")).toBe("1");
      expect(r.json).toMatchObject({ type: expect.stringContaining("throttled"), outcome: { status: "rejected", smppStatus: 0x58 } });
      expect(asked()).toEqual([2, 2, 2, 2]);
      expect(sim.ledger.mtAccepted.filter((m) => m.at >= t0)).toHaveLength(0);
    } finally {
      sub.dispose();
      for (const f of faults) sim.removeFault(f);
    }
  });
});

import { describe, expect, test } from "bun:test";
import { ManualClock, LOCAL_TOPOLOGY, type SmscNode } from "../../contract/index.ts";
import { BindManager } from "../../core/binds/bind-manager.ts";
import { nextAttemptAt } from "../../core/binds/rebind-policy.ts";
import type { NodeConnectResult } from "../../core/binds/session-port.ts";
import { FakeSession, bound } from "./port-fakes.ts";

const policy = { floorMs: 30_000, jitterMs: 1_000 };
const node = LOCAL_TOPOLOGY.smscNodes[0]!;

function manager(clock: ManualClock, connect: (n: SmscNode) => Promise<NodeConnectResult>, nodes = [node]) {
  const attempts: { node: string; at: number }[] = [];
  const states: string[] = [];
  const m = new BindManager({ nodes, connector: connect, policy, clock, random: () => 0.5 });
  m.on("attempt", ({ node: n, at }) => attempts.push({ node: n.name, at }));
  m.on("state", ({ state: s }) => states.push(s.kind));
  return { m, attempts, states };
}

describe("rebind policy", () => {
  test("the next attempt is MORE than the floor after the last attempt started, plus jitter", () => {
    expect(nextAttemptAt(policy, 1000, 2000, () => 0)).toBe(31_001);
    expect(nextAttemptAt(policy, 1000, 2000, () => 0.999)).toBe(32_000);
    expect(nextAttemptAt(policy, 1000, 31_000, () => 0)).toBe(31_001); // exactly the floor is not enough
    // A bind that was up for an hour may be retried at once (plus jitter).
    expect(nextAttemptAt(policy, 0, 3_600_000, () => 0.5)).toBe(3_600_500);
    expect(nextAttemptAt(policy, undefined, 5, () => 0)).toBe(5);
  });
});

describe("node bind", () => {
  test("a refused node is not retried before the floor, then is", async () => {
    const clock = new ManualClock(0);
    let ok = false;
    const { m, attempts } = manager(clock, async () => (ok ? bound(new FakeSession(10)) : { ok: false, reason: "ECONNREFUSED" }));
    m.start();
    await clock.advance(0);
    expect(attempts.map((a) => a.at)).toEqual([0]);
    expect(m.list()[0]!.state).toMatchObject({ kind: "backoff", nextAttemptAt: 30_501, lastError: "ECONNREFUSED" });
    await clock.advance(30_500);
    expect(attempts).toHaveLength(1);
    ok = true;
    await clock.advance(1);
    expect(attempts.map((a) => a.at)).toEqual([0, 30_501]);
    expect(m.list()[0]!.state.kind).toBe("bound");
    expect(m.active()).toHaveLength(1);
  });

  test("a lost bind: the rebind waits for the floor counted from the last attempt", async () => {
    const clock = new ManualClock(0);
    const sessions: FakeSession[] = [];
    const { m, attempts } = manager(clock, async () => {
      const s = new FakeSession(10);
      sessions.push(s);
      return bound(s);
    });
    m.start();
    await clock.advance(10_000);
    sessions[0]!.close("peer reset");
    await clock.advance(0);
    expect(m.list()[0]!.state).toMatchObject({ kind: "backoff", nextAttemptAt: 30_501, lastError: "bind lost: peer reset" });
    expect(m.active()).toHaveLength(0);
    await clock.advance(20_500);
    expect(attempts).toHaveLength(1);
    await clock.advance(1);
    expect(attempts.map((a) => a.at)).toEqual([0, 30_501]);
  });

  test("a restarted core waits out the floor from the last attempt in the attempt log, and logs each attempt before connecting", async () => {
    const clock = new ManualClock(100_000);
    const order: string[] = [];
    const log = new Map([[node.name, 80_000]]); // the previous process's last attempt, 20 s ago
    const m = new BindManager({
      nodes: [node], policy, clock, random: () => 0.5,
      connector: async () => (order.push(`connect@${clock.now()}`), { ok: false, reason: "ECONNREFUSED" }),
      attemptLog: {
        last: async (n) => log.get(n),
        record: async (n, at) => (order.push(`record@${at}`), log.set(n, at), undefined),
      },
    });
    m.start();
    await clock.advance(0);
    expect(order).toEqual([]);
    expect(m.list()[0]!.state).toMatchObject({ kind: "backoff", nextAttemptAt: 110_501 });
    await clock.advance(10_500);
    expect(order).toEqual([]);
    await clock.advance(1);
    expect(order).toEqual(["record@110501", "connect@110501"]);
    expect(log.get(node.name)).toBe(110_501);
    await m.stop();
  });

  test("the floor counts from the attempt's END: after a connect that took 5 s, the next attempt waits the floor from its failure, in memory and in the attempt log", async () => {
    const clock = new ManualClock(0);
    const log = new Map<string, number>();
    const ends: (() => void)[] = [];
    const connects: number[] = [];
    const m = new BindManager({
      nodes: [node], policy, clock, random: () => 0.5,
      connector: () => (connects.push(clock.now()), new Promise((r) => ends.push(() => r({ ok: false, reason: "ESME_RBINDFAIL" })))),
      attemptLog: { last: async (n) => log.get(n), record: async (n, at) => void log.set(n, Math.max(at, log.get(n) ?? 0)) },
    });
    m.start();
    await clock.advance(0);
    await clock.advance(5_000); // the SMSC answers the bind 5 s after it started
    ends.shift()!();
    await clock.advance(0);
    expect(log.get(node.name)).toBe(5_000);
    expect(m.list()[0]!.state).toMatchObject({ kind: "backoff", nextAttemptAt: 35_501 });
    await clock.advance(30_500);
    expect(connects).toEqual([0]);
    await clock.advance(1);
    expect(connects).toEqual([0, 35_501]);
    ends.shift()!();
    await m.stop();
  });

  test("an attempt log that fails does not stop the binds", async () => {
    const clock = new ManualClock(0);
    const errors: unknown[] = [];
    let calls = 0;
    const m = new BindManager({
      nodes: [node], policy, clock, random: () => 0.5,
      connector: async () => (calls++, bound(new FakeSession(10))),
      attemptLog: { last: () => Promise.reject(new Error("db down")), record: () => Promise.reject(new Error("db down")) },
      onAttemptLogError: (e) => errors.push(e),
    });
    m.start();
    await clock.advance(0);
    expect(calls).toBe(1);
    expect(m.list()[0]!.state.kind).toBe("bound");
    expect(errors).toHaveLength(2);
    await m.stop();
  });

  test("the floor counts from the LAST attempt, not the first: a node refusing again and again is tried once per floor", async () => {
    const clock = new ManualClock(0);
    let refusals = 3;
    const sessions: FakeSession[] = [];
    const { m, attempts } = manager(clock, async () => {
      if (refusals-- > 0) return { ok: false, reason: "ECONNREFUSED" };
      const s = new FakeSession(10);
      sessions.push(s);
      return bound(s);
    });
    // Each wait is the policy's, counted from the attempt just made (counted from the first, the third
    // attempt would be due at once and the node hammered).
    const dueAfterLast = () => nextAttemptAt(policy, attempts.at(-1)!.at, clock.now(), () => 0.5);
    m.start();
    await clock.advance(0);
    for (let i = 1; i <= 3; i++) {
      const due = dueAfterLast();
      expect(m.list()[0]!.state).toMatchObject({ kind: "backoff", nextAttemptAt: due });
      await clock.advance(due - clock.now() - 1);
      expect(attempts).toHaveLength(i);
      await clock.advance(1);
      expect(attempts).toHaveLength(i + 1);
    }
    expect(m.list()[0]!.state.kind).toBe("bound");
    // Bound, then lost 10 s later: the next attempt is a floor after the last attempt (not after the first).
    await clock.advance(10_000);
    sessions[0]!.close("peer reset");
    await clock.advance(0);
    const due = dueAfterLast();
    expect(due).toBeGreaterThan(attempts.at(-1)!.at + policy.floorMs - 1);
    expect(m.list()[0]!.state).toMatchObject({ kind: "backoff", nextAttemptAt: due });
    await clock.advance(due - clock.now() - 1);
    expect(attempts).toHaveLength(4);
    await clock.advance(1);
    expect(attempts).toHaveLength(5);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThan(policy.floorMs);
  });

  test("never two attempts at once on one node", async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const { m } = manager(clock, () => {
      calls++;
      return new Promise(() => {}); // connect hangs
    });
    m.start();
    m.start();
    await clock.advance(120_000);
    expect(calls).toBe(1);
    expect(m.list()[0]!.state.kind).toBe("connecting");
  });

  test("stop unbinds bound nodes and a bind that completes after stop is unbound at once", async () => {
    const clock = new ManualClock(0);
    const a = new FakeSession(10);
    const late = new FakeSession(10);
    let release!: (r: NodeConnectResult) => void;
    const nodes = LOCAL_TOPOLOGY.smscNodes.slice(0, 2);
    const { m } = manager(clock, (n) => (n.name === nodes[0]!.name ? Promise.resolve(bound(a)) : new Promise((r) => (release = r))), nodes);
    m.start();
    await clock.advance(0);
    await m.stop();
    expect(a.unbound).toBe(true);
    expect(m.list().map((b) => b.state.kind)).toEqual(["stopped", "stopped"]);
    release(bound(late));
    await clock.advance(0);
    expect(late.unbound).toBe(true);
    expect(m.active()).toHaveLength(0);
  });

  test("one bind per configured node, each with its own state", async () => {
    const clock = new ManualClock(0);
    const { m } = manager(clock, async (n) => (n.site === "dc3" ? bound(new FakeSession(10)) : { ok: false, reason: "down" }), LOCAL_TOPOLOGY.smscNodes);
    m.start();
    await clock.advance(0);
    expect(m.list().map((b) => [b.node, b.state.kind])).toEqual([
      ["smc1.dc3", "bound"], ["smc2.dc3", "bound"], ["smc1.bos", "backoff"], ["smc2.bos", "backoff"],
    ]);
  });
});

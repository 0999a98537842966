import { describe, expect, test } from "bun:test";
import { ManualClock, LOCAL_TOPOLOGY, parseOutboundMessage, type OutboundMessage } from "../../contract/index.ts";
import { BindManager } from "../../core/binds/bind-manager.ts";
import type { SubmitAnswer } from "../../core/binds/session-port.ts";
import { MtRouter } from "../../core/outbound/mt-router.ts";
import { SendOnce, type MtRecorder, type PriorSubmit } from "../../core/outbound/send-once.ts";
import { GENESYS_DATA_CODINGS } from "../../core/outbound/segments.ts";
import { Status } from "../../core/smpp/status.ts";
import { FakeSession, bound } from "./port-fakes.ts";

function msg(text = "hello", extra: Record<string, unknown> = {}): OutboundMessage {
  const r = parseOutboundMessage({ to: "+12025550100", sender: "12345", text, receipt: true, ...extra });
  if (!r.success) throw new Error("fixture");
  return r.output;
}

class MemoryRecorder implements MtRecorder {
  records = new Map<string, PriorSubmit>();
  async recordSubmit(r: Parameters<MtRecorder["recordSubmit"]>[0]) {
    const before = this.records.get(r.clientMessageId)?.segments ?? [];
    this.records.set(r.clientMessageId, { total: r.total, ref: r.ref, fingerprint: r.fingerprint, segments: [...before, ...r.segments].sort((a, b) => a.segment - b.segment) });
  }
  async findSubmit(id: string) {
    return this.records.get(id);
  }
}

/** Four nodes; `up` says which are bound, `answers` how each node's session answers. */
/** A recorder on a store shared with another core: `heldBy` holds the claims ("me" is this core). */
class ClaimingRecorder extends MemoryRecorder {
  heldBy = new Map<string, string>();
  async claim(id: string) {
    if (this.heldBy.has(id)) return false;
    this.heldBy.set(id, "me");
    return true;
  }
  async release(id: string) {
    this.released.push(id);
    if (this.heldBy.get(id) === "me") this.heldBy.delete(id);
  }
  released: string[] = [];
  // Recording ends the claim, as the store's recordSubmit does.
  override async recordSubmit(r: Parameters<MtRecorder["recordSubmit"]>[0]) {
    await super.recordSubmit(r);
    this.heldBy.delete(r.clientMessageId);
  }
}

async function setup(up: string[], answers: Record<string, (n: number) => SubmitAnswer | Promise<SubmitAnswer>> = {}, window = 2, recorder = new MemoryRecorder()) {
  const clock = new ManualClock(0);
  const sessions = new Map<string, FakeSession>();
  const m = new BindManager({
    nodes: LOCAL_TOPOLOGY.smscNodes, policy: { floorMs: 30_000, jitterMs: 0 }, clock,
    connector: async (n) => {
      if (!up.includes(n.name)) return { ok: false, reason: "down" };
      const s = new FakeSession(window, (_sm, k) => (answers[n.name] ?? ((i) => ({ kind: "resp", status: 0, messageId: `${n.name}-${i}` })))(k));
      sessions.set(n.name, s);
      return bound(s);
    },
  });
  m.start();
  await clock.advance(0);
  const events: { node: string; outcome: string }[] = [];
  const mt = new MtRouter({
    binds: () => m.binds, clock, codings: GENESYS_DATA_CODINGS, throttlePauseMs: 1000, slotWaitMs: 2000, maxWaiters: 100,
  });
  mt.on("submit", (e) => events.push(e));
  // The send path as the core wires it: SendOnce decides whether an id is sent, the router routes it.
  const once = new SendOnce({ recorder, clock });
  const router = { send: (m: OutboundMessage, id: string) => once.send(m, id, (record, resume) => mt.route(m, id, record, resume)) };
  return { clock, sessions, router, recorder, events, m };
}

describe("MT router", () => {
  test("uses only bound nodes, least in-flight first, and records the SMSC ids", async () => {
    const { router, sessions, recorder } = await setup(["smc1.dc3", "smc2.bos"]);
    const outs = await Promise.all([router.send(msg(), "a"), router.send(msg(), "b")]);
    expect(outs.map((o) => o.status)).toEqual(["accepted", "accepted"]);
    expect([...sessions.keys()].sort()).toEqual(["smc1.dc3", "smc2.bos"]);
    expect(sessions.get("smc1.dc3")!.submits).toHaveLength(1);
    expect(sessions.get("smc2.bos")!.submits).toHaveLength(1);
    expect(recorder.records.get("a")!.segments).toHaveLength(1);
    const sm = sessions.get("smc1.dc3")!.submits[0]!;
    expect(sm).toMatchObject({ destinationAddr: "12025550100", sourceAddr: "12345", registeredDelivery: 1, dataCoding: 2 });
  });

  test("with no bind active it answers at once: rejected with a retry hint, nothing queued", async () => {
    const { router, clock } = await setup([]);
    const t0 = clock.now();
    const o = await router.send(msg(), "x");
    expect(o).toMatchObject({ status: "rejected", reason: "no SMSC bind is active", retryAfterSeconds: 5 });
    expect(clock.now()).toBe(t0);
  });

  test("a throttled bind is paused and another one takes the message", async () => {
    const { router, events } = await setup(["smc1.dc3", "smc1.bos"], { "smc1.dc3": () => ({ kind: "resp", status: Status.ESME_RTHROTTLED, messageId: "" }) });
    const o = await router.send(msg(), "t");
    expect(o).toMatchObject({ status: "accepted", node: "smc1.bos" });
    expect(events.map((e) => `${e.node}:${e.outcome}`)).toEqual(["smc1.dc3:throttled", "smc1.bos:accepted"]);
    // Paused: the next message goes straight to the other bind.
    const o2 = await router.send(msg(), "t2");
    expect(o2.attempts).toHaveLength(1);
  });

  test("a submit whose answer never came is unknown and is not resent", async () => {
    const { router, sessions } = await setup(["smc1.dc3", "smc2.dc3"], { "smc1.dc3": () => ({ kind: "timeout" }), "smc2.dc3": () => ({ kind: "timeout" }) });
    const o = await router.send(msg(), "u");
    expect(o.status).toBe("unknown");
    const total = [...sessions.values()].reduce((n, s) => n + s.submits.length, 0);
    expect(total).toBe(1);
  });

  test("a lost bind's session is never picked again, while the node waits out its floor", async () => {
    const { router, sessions, clock, m } = await setup(["smc1.dc3", "smc1.bos"]);
    const lost = sessions.get("smc1.dc3")!;
    expect((await Promise.all(["l1", "l2", "l3", "l4"].map((id) => router.send(msg(), id)))).map((o) => o.status)).toEqual(Array(4).fill("accepted"));
    expect(lost.submits.length).toBeGreaterThan(0); // it was in use
    const before = lost.submits.length;
    lost.close("peer reset");
    await clock.advance(0);
    expect(m.list().find((b) => b.node === "smc1.dc3")!.state.kind).toBe("backoff");
    const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => router.send(msg(), `after-${i}`)));
    expect(outs.every((o) => o.status === "accepted" && o.node === "smc1.bos")).toBe(true);
    expect(lost.submits.length).toBe(before);
    await clock.advance(29_000); // still within the floor
    await router.send(msg(), "later");
    expect(lost.submits.length).toBe(before);
  });

  test("a request never written (bind closed first) moves to another bind", async () => {
    const { router } = await setup(["smc1.dc3", "smc1.bos"], { "smc1.dc3": () => ({ kind: "not_bound" }) });
    const o = await router.send(msg(), "c");
    expect(o).toMatchObject({ status: "accepted", node: "smc1.bos" });
    expect(o.attempts.map((a) => a.outcome)).toEqual(["refused", "accepted"]);
  });

  test("a permanent status is a rejection naming the status, not retried", async () => {
    const { router, sessions } = await setup(["smc1.dc3", "smc1.bos"], {
      "smc1.dc3": () => ({ kind: "resp", status: Status.ESME_RINVDSTADR, messageId: "" }),
      "smc1.bos": () => ({ kind: "resp", status: Status.ESME_RINVDSTADR, messageId: "" }),
    });
    const o = await router.send(msg(), "p");
    expect(o).toMatchObject({ status: "rejected", smppStatus: Status.ESME_RINVDSTADR });
    if (o.status === "rejected") expect(o.reason).toContain("ESME_RINVDSTADR");
    expect(sessions.get("smc1.dc3")!.submits.length + sessions.get("smc1.bos")!.submits.length).toBe(1);
  });

  test("an unclassified error is tried once on each other bind, then rejected", async () => {
    const err = () => ({ kind: "resp", status: Status.ESME_RSYSERR, messageId: "" }) as const;
    const { router, sessions } = await setup(["smc1.dc3", "smc1.bos"], { "smc1.dc3": err, "smc1.bos": err });
    const o = await router.send(msg(), "e");
    expect(o).toMatchObject({ status: "rejected", smppStatus: Status.ESME_RSYSERR });
    expect(sessions.get("smc1.dc3")!.submits).toHaveLength(1);
    expect(sessions.get("smc1.bos")!.submits).toHaveLength(1);
  });

  test("the same client message id is never sent twice", async () => {
    const { router, sessions } = await setup(["smc1.dc3"]);
    const [a, b] = await Promise.all([router.send(msg(), "same"), router.send(msg(), "same")]);
    const c = await router.send(msg(), "same");
    expect([a.status, b.status, c.status]).toEqual(["accepted", "accepted", "accepted"]);
    expect(a.status === "accepted" && a.deduplicated).toBe(false);
    expect(b.status === "accepted" && b.deduplicated).toBe(true);
    expect(c.status === "accepted" && c.deduplicated).toBe(true);
    expect(sessions.get("smc1.dc3")!.submits).toHaveLength(1);
  });

  test("long text goes out as UDH segments, all recorded under one client id", async () => {
    const { router, sessions, recorder } = await setup(["smc1.dc3"], {}, 10);
    const o = await router.send(msg("x".repeat(400)), "long");
    expect(o.status).toBe("accepted");
    const subs = sessions.get("smc1.dc3")!.submits;
    expect(subs).toHaveLength(3);
    expect(subs.map((s) => s.esmClass)).toEqual([0x40, 0x40, 0x40]);
    expect(subs.map((s) => s.shortMessage[5])).toEqual([1, 2, 3]);
    expect(recorder.records.get("long")!.segments).toHaveLength(3);
  });

  test("when every active bind is full it waits for a slot (bounded), then gives a clear answer", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { router, clock } = await setup(["smc1.dc3"], { "smc1.dc3": async (n) => (n === 1 ? (await gate, { kind: "resp", status: 0, messageId: "1" }) : { kind: "resp", status: 0, messageId: String(n) }) }, 1);
    const first = router.send(msg(), "w1");
    await clock.advance(0);
    const second = router.send(msg(), "w2");
    await clock.advance(500);
    release();
    expect((await first).status).toBe("accepted");
    expect((await second).status).toBe("accepted");
    // With the slot never freeing, the wait ends after slotWaitMs with a clear, retryable rejection.
    const stuck = await setup(["smc1.dc3"], { "smc1.dc3": () => new Promise(() => {}) }, 1);
    void stuck.router.send(msg(), "s1");
    await stuck.clock.advance(0);
    const waiting = stuck.router.send(msg(), "s2");
    await stuck.clock.advance(2000);
    const busy = await waiting;
    expect(busy).toMatchObject({ status: "rejected", reason: "every active bind is busy", retryAfterSeconds: 1 });
    expect(busy.status === "rejected" && busy.smppStatus).toBeUndefined();
  });

  test("a throttled bind is tried again when its pause ends, not at the end of the wait", async () => {
    const { router, clock, events } = await setup(["smc1.dc3"], { "smc1.dc3": (n) => ({ kind: "resp", status: n === 1 ? Status.ESME_RTHROTTLED : 0, messageId: String(n) }) });
    const o = router.send(msg(), "p1");
    await clock.advance(999);
    expect(events.map((e) => e.outcome)).toEqual(["throttled"]);
    await clock.advance(1);
    expect(await o).toMatchObject({ status: "accepted", node: "smc1.dc3" });
    expect(clock.now()).toBe(1000);
  });

  test("when every active bind stays throttled, the answer carries the SMSC's status and when to retry", async () => {
    const throttle = () => ({ kind: "resp", status: Status.ESME_RTHROTTLED, messageId: "" }) as const;
    const { router, clock, events } = await setup(["smc1.dc3", "smc1.bos"], { "smc1.dc3": throttle, "smc1.bos": throttle });
    const o = router.send(msg(), "th");
    await clock.advance(1000); // both pauses end: each bind is asked once more
    await clock.advance(1000); // the 2 s wait is over
    expect(await o).toMatchObject({
      status: "rejected",
      reason: "every active bind is throttled: ESME_RTHROTTLED",
      smppStatus: Status.ESME_RTHROTTLED,
      retryAfterSeconds: 1,
    });
    expect(events.map((e) => e.outcome)).toEqual(["throttled", "throttled", "throttled", "throttled"]);
  });

  describe("with other cores on the same store (claims)", () => {
    const submits = (sessions: Map<string, FakeSession>) => [...sessions.values()].reduce((n, x) => n + x.submits.length, 0);

    test("another core sending the id: this one waits and answers that core's record, sending nothing", async () => {
      const recorder = new ClaimingRecorder();
      recorder.heldBy.set("x", "core-b");
      const { router, clock, sessions } = await setup(["smc1.dc3"], {}, 2, recorder);
      const o = router.send(msg("hello", { clientMessageId: "x" }), "x");
      await clock.advance(300);
      expect(submits(sessions)).toBe(0);
      recorder.records.set("x", { segments: [{ segment: 0, smscMessageId: "b-1", node: "smc2.bos", site: "bos" }] }); // core-b's submit is recorded
      recorder.heldBy.delete("x");
      await clock.advance(50);
      expect(await o).toMatchObject({ status: "accepted", deduplicated: true, smscMessageIds: ["b-1"], node: "smc2.bos" });
      expect(submits(sessions)).toBe(0);
    });

    test("the other core gives the id back unsent (rejected): this one sends it, then gives it back", async () => {
      const recorder = new ClaimingRecorder();
      recorder.heldBy.set("y", "core-b");
      const { router, clock, sessions } = await setup(["smc1.dc3"], {}, 2, recorder);
      const o = router.send(msg("hello", { clientMessageId: "y" }), "y");
      await clock.advance(200);
      recorder.heldBy.delete("y");
      await clock.advance(50);
      expect(await o).toMatchObject({ status: "accepted", deduplicated: false, node: "smc1.dc3" });
      expect(submits(sessions)).toBe(1);
      expect(recorder.heldBy.has("y")).toBe(false);
      expect(recorder.records.get("y")!.segments.map((x) => x.smscMessageId)).toEqual(["smc1.dc3-1"]);
    });

    test("held for longer than the wait: unknown (ask again with the same id), nothing sent", async () => {
      const recorder = new ClaimingRecorder();
      recorder.heldBy.set("z", "core-b");
      const { router, clock, sessions } = await setup(["smc1.dc3"], {}, 2, recorder);
      const o = router.send(msg("hello", { clientMessageId: "z" }), "z");
      await clock.advance(4_999);
      await clock.advance(51);
      expect(await o).toMatchObject({ status: "unknown", reason: "another core is sending this message id now: ask again with the same id" });
      expect(submits(sessions)).toBe(0);
      expect(recorder.heldBy.get("z")).toBe("core-b");
    });

    test("this core's claim ends whatever the outcome: given back when nothing was recorded, with the record otherwise", async () => {
      const recorder = new ClaimingRecorder();
      const { router } = await setup(["smc1.dc3"], { "smc1.dc3": (n) => ({ kind: "resp", status: n === 1 ? Status.ESME_RINVDSTADR : 0, messageId: String(n) }) }, 2, recorder);
      expect((await router.send(msg("hello", { clientMessageId: "r1" }), "r1")).status).toBe("rejected");
      expect((await router.send(msg("hello", { clientMessageId: "r2" }), "r2")).status).toBe("accepted");
      expect(recorder.heldBy.size).toBe(0);
      expect(recorder.released).toEqual(["r1"]); // r2 ended with its record, no extra round trip
    });

    test("an id this core generated (no clientMessageId) is never claimed: no other core can have it", async () => {
      const recorder = new ClaimingRecorder();
      recorder.heldBy.set("m-gen", "core-b"); // would block a claim, were one made
      const { router, sessions } = await setup(["smc1.dc3"], {}, 2, recorder);
      expect(await router.send(msg(), "m-gen")).toMatchObject({ status: "accepted", deduplicated: false });
      expect(submits(sessions)).toBe(1);
    });
  });
});

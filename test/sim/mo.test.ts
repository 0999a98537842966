// MOs: injected through the control API, delivered on an active bind (text encodings, long text),
// redelivered on another bind when not acknowledged in time, nacked or lost; or sent as HTTP callbacks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type smpp from "smpp";
import { startSimulator } from "../../sim/index.ts";
import type { NodeName, Simulator } from "../../sim/index.ts";
import { bindClient, callbackReceiver, control, destroyAll, next } from "./helpers.ts";

let sim: Simulator;
const open: smpp.Session[] = [];

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 150, callbackRetry: { intervalMs: 30, retries: 4 } });
});
afterEach(() => destroyAll(open));
afterAll(() => sim.stop());

async function rx(name: NodeName, setup?: (s: smpp.Session) => void): Promise<smpp.Session> {
  const n = sim.nodes.find((x) => x.name === name)!;
  const { session, status } = await bindClient(n.host, n.port, { kind: "receiver", ...(setup ? { setup } : {}) });
  expect(status).toBe(0);
  open.push(session);
  return session;
}

async function injectMo(body: Record<string, unknown>): Promise<string> {
  const r = await control(sim, "POST", "/mo", body);
  expect(r.status).toBe(201);
  return r.json.message_id as string;
}

describe("MO over SMPP", () => {
  it("delivers a deliver_sm (esm_class 0, data_coding 0) and records the ack", async () => {
    const s = await rx("smc1.dc3");
    const got = next(s, "deliver_sm");
    const id = await injectMo({ from: "12025550100", to: "12345", text: "STOP" });
    const mo = await got;
    s.send(mo.response());
    expect([mo.esm_class, mo.data_coding, mo.source_addr, mo.destination_addr]).toEqual([0, 0, "12025550100", "12345"]);
    expect(mo.short_message.message).toBe("STOP");
    await sim.ledger.waitFor((l) => l.mosAcked.some((m) => m.message_id === id && m.node === "smc1.dc3"));
  });

  it("uses UTF-16BE (data_coding 8) for non-ASCII and message_payload for long text", async () => {
    const s = await rx("smc2.bos");
    const first = next(s, "deliver_sm");
    await injectMo({ from: "12025550100", to: "12345", text: "héllo 👋" });
    const uni = await first;
    s.send(uni.response());
    expect(uni.data_coding).toBe(8);
    expect(uni.short_message.message).toBe("héllo 👋");
    const second = next(s, "deliver_sm");
    await injectMo({ from: "12025550100", to: "12345", text: "z".repeat(300) });
    const long = await second;
    s.send(long.response());
    expect(long.message_payload.message).toBe("z".repeat(300));
  });

  it("delivers first on the requested node", async () => {
    const a = await rx("smc1.dc3");
    const b = await rx("smc1.bos");
    a.on("deliver_sm", (p: smpp.PDU) => a.send(p.response()));
    const got = next(b, "deliver_sm");
    const id = await injectMo({ from: "12025550100", to: "12345", text: "hi", node: "smc1.bos" });
    b.send((await got).response());
    await sim.ledger.waitFor((l) => l.mosAcked.some((m) => m.message_id === id));
    expect(sim.ledger.mosEmitted.filter((m) => m.message_id === id).map((m) => m.node)).toEqual(["smc1.bos"]);
  });

  it("splits a long MO into UDH parts (8- and 16-bit reference) when asked, in the order asked", async () => {
    const s = await rx("smc1.dc3");
    const got: smpp.PDU[] = [];
    s.on("deliver_sm", (p: smpp.PDU) => (got.push(p), s.send(p.response())));
    const text = "é".repeat(100); // 200 octets of UTF-16BE
    const id = await injectMo({ from: "12025550100", to: "12345", text, longMo: "udh8", concatRef: 0x1a7, partOrder: [2, 1] });
    await sim.ledger.waitFor((l) => l.mosAcked.filter((m) => m.message_id === id).length === 2);
    expect(got.map((p) => [p.esm_class & 0x40, p.data_coding])).toEqual([[0x40, 8], [0x40, 8]]);
    // The smpp package splits the UDH into its elements (IEI, length, value).
    expect(got.map((p) => [...p.short_message.udh[0]])).toEqual([[0, 3, 0xa7, 2, 2], [0, 3, 0xa7, 2, 1]]);
    expect(got.map((p) => p.short_message.message.length)).toEqual([33, 67]); // 134 octets = 67 UTF-16 units in part 1
    expect(sim.ledger.mosEmitted.filter((m) => m.message_id === id).map((m) => m.part)).toEqual([2, 1]);

    got.length = 0;
    const id16 = await injectMo({ from: "12025550100", to: "12345", text: "y".repeat(300), longMo: "udh16", concatRef: 0xbeef });
    await sim.ledger.waitFor((l) => l.mosAcked.filter((m) => m.message_id === id16).length === 3);
    expect(got.map((p) => [...p.short_message.udh[0]])).toEqual([1, 2, 3].map((seq) => [8, 4, 0xbe, 0xef, 3, seq]));
    expect(got.map((p) => p.short_message.message).join("")).toBe("y".repeat(300));
  });

  it("splits a long MO into parts with SAR TLVs when configured; short MOs stay whole", async () => {
    await control(sim, "POST", "/config", { longMo: "sar" });
    try {
      const s = await rx("smc2.dc3");
      const got: smpp.PDU[] = [];
      s.on("deliver_sm", (p: smpp.PDU) => (got.push(p), s.send(p.response())));
      const id = await injectMo({ from: "12025550100", to: "12345", text: "x".repeat(141) });
      await sim.ledger.waitFor((l) => l.mosAcked.filter((m) => m.message_id === id).length === 2);
      expect(got.map((p) => [p.esm_class, p.sar_total_segments, p.sar_segment_seqnum, p.short_message.message.length])).toEqual([[0, 2, 1, 140], [0, 2, 2, 1]]);
      expect(got[0]!.sar_msg_ref_num).toBe(got[1]!.sar_msg_ref_num);
      got.length = 0;
      await injectMo({ from: "12025550100", to: "12345", text: "short" });
      await sim.ledger.waitFor(() => got.length === 1);
      expect([got[0]!.sar_msg_ref_num, got[0]!.short_message.message]).toEqual([undefined, "short"]);
    } finally {
      await control(sim, "POST", "/config", { longMo: "payload" });
    }
    expect((await control(sim, "POST", "/config", { longMo: "bogus" })).status).toBe(400);
  });

  for (const how of ["timeout", "nack", "closed"] as const) {
    it(`redelivers on another bind after a ${how}`, async () => {
      const silent = await rx("smc2.dc3", (s) => s.on("deliver_sm", (p: smpp.PDU) => {
        if (how === "nack") s.send(p.response({ command_status: 0x08 }));
        if (how === "closed") s.socket.destroy();
      }));
      const good = await rx("smc1.bos", (s) => s.on("deliver_sm", (p: smpp.PDU) => s.send(p.response())));
      expect(good).toBeDefined();
      const id = await injectMo({ from: "12025550100", to: "12345", text: "again", node: "smc2.dc3" });
      await sim.ledger.waitFor((l) => l.mosAcked.some((m) => m.message_id === id));
      expect(sim.ledger.mosEmitted.filter((m) => m.message_id === id).map((m) => m.node)).toEqual(["smc2.dc3", "smc1.bos"]);
      expect(sim.ledger.redeliveries.filter((r) => r.message_id === id)).toMatchObject([{ kind: "mo", fromNode: "smc2.dc3", reason: how }]);
      expect(sim.ledger.mosAcked.filter((m) => m.message_id === id).map((m) => m.node)).toEqual(["smc1.bos"]);
      expect(silent).toBeDefined();
    });
  }
});

describe("MO over HTTP callbacks", () => {
  it("POSTs type=MO with the Genesys fields, retrying non-2xx with the same message_id", async () => {
    const cb = await callbackReceiver([500]);
    try {
      await control(sim, "POST", "/config", { callbackUrl: cb.url });
      const id = await injectMo({ from: "12025550100", to: "12345", text: "héllo", via: "http" });
      await sim.ledger.waitFor((l) => l.callbacksSucceeded.some((c) => c.message_id === id));
      expect(cb.forms).toHaveLength(2);
      for (const f of cb.forms) {
        expect(Object.fromEntries(f)).toEqual({
          type: "MO", message_id: id, shortcode: "12345", phone_number: "12025550100", carrier: "", message: "héllo",
        });
      }
      expect(sim.ledger.callbacksAttempted.filter((c) => c.message_id === id).map((c) => c.outcome)).toEqual([500, 200]);
      expect(sim.ledger.mosAcked.some((m) => m.message_id === id && m.via === "http")).toBe(true);
    } finally {
      await cb.close();
    }
  });
});

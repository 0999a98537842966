// MOs: injected through the control API, delivered on an active bind (text encodings, long text),
// redelivered on another bind when not acknowledged in time, nacked or lost; or sent as HTTP callbacks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type smpp from "smpp";
import { startSimulator } from "./index.ts";
import type { NodeName, Simulator } from "./index.ts";
import { bindClient, callbackReceiver, control, destroyAll, next } from "./helpers.ts";

let sim: Simulator;
const open: smpp.Session[] = [];

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 150, callbackRetry: { intervalMs: 30, maxAttempts: 5 } });
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

// The SMSC nodes, driven by a client that is not ours (the npm `smpp` package): binds and auth,
// submit_sm with its receipt on every node, enquire_link both ways, generic_nack, unbind.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import smpp from "smpp";
import { SMPP_STATUS, startSimulator } from "../../sim/index.ts";
import type { Simulator } from "../../sim/index.ts";
import { bindClient, call, closed, destroyAll, next } from "./helpers.ts";
import { smscMessageIdForms } from "../../contract/index.ts";
import { IdMaker } from "../../sim/context.ts";

let sim: Simulator;
const open: smpp.Session[] = [];

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 100 });
});
afterEach(() => destroyAll(open));
afterAll(() => sim.stop());

async function bound(i = 0, kind?: "transceiver" | "transmitter" | "receiver"): Promise<smpp.Session> {
  const n = sim.nodes[i]!;
  const { session, status } = await bindClient(n.host, n.port, kind ? { kind } : {});
  open.push(session);
  expect(status).toBe(0);
  return session;
}

const SUBMIT = { source_addr: "12345", destination_addr: "12025550100", short_message: "hello", registered_delivery: 1 };

describe("SMSC nodes", () => {
  it("bind to each of the four nodes, submit, and receive the receipt for it", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const s = await bound(i);
      const receipt = next(s, "deliver_sm");
      const resp = await call(s, "submit_sm", SUBMIT);
      expect(resp.command_status).toBe(0);
      expect(resp.message_id).toMatch(/^[0-9A-F]{10}$/);
      ids.add(resp.message_id);
      const dr = await receipt;
      s.send(dr.response());
      expect(dr.esm_class & 0x3c).toBe(0x04);
      expect(dr.receipted_message_id).toBe(resp.message_id);
      expect(dr.message_state).toBe(2);
      expect(dr.short_message.message).toMatch(
        /^id:\d+ sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:hello$/,
      );
      expect(dr.source_addr).toBe("12025550100");
      destroyAll(open);
    }
    expect(ids.size).toBe(4);
    await sim.ledger.waitFor((l) => l.receiptsAcked.length >= 4);
    expect(new Set(sim.ledger.binds.map((b) => b.node))).toEqual(new Set(sim.nodes.map((n) => n.name)));
  });

  it("refuses a wrong password with ESME_RBINDFAIL and records the attempt", async () => {
    const n = sim.nodes[1]!;
    const { session, status } = await bindClient(n.host, n.port, { password: "wrong" });
    open.push(session);
    expect(status).toBe(SMPP_STATUS.RBINDFAIL);
    expect(sim.ledger.bindAttempts.at(-1)).toMatchObject({ node: n.name, outcome: "auth_failed", bindType: "transceiver" });
  });

  it("refuses submit_sm before bind and on a receiver bind (ESME_RINVBNDSTS), and a second bind (ESME_RALYBND)", async () => {
    const n = sim.nodes[0]!;
    const rx = await bound(0, "receiver");
    expect((await call(rx, "submit_sm", SUBMIT)).command_status).toBe(SMPP_STATUS.RINVBNDSTS);
    expect((await call(rx, "bind_transmitter", { system_id: "demo", password: "demo" })).command_status).toBe(SMPP_STATUS.RALYBND);
    const { session } = await bindClient(n.host, n.port, { password: "wrong" });
    open.push(session);
    expect((await call(session, "submit_sm", SUBMIT)).command_status).toBe(SMPP_STATUS.RINVBNDSTS);
  });

  it("checks addresses and length like the HTTP rules", async () => {
    const s = await bound(2, "transmitter");
    expect((await call(s, "submit_sm", { ...SUBMIT, destination_addr: "+12025550100" })).command_status).toBe(SMPP_STATUS.RINVDSTADR);
    expect((await call(s, "submit_sm", { ...SUBMIT, source_addr: "01234" })).command_status).toBe(SMPP_STATUS.RINVSRCADR);
    const long = Buffer.from("x".repeat(1601));
    expect((await call(s, "submit_sm", { ...SUBMIT, short_message: Buffer.alloc(0), message_payload: long })).command_status)
      .toBe(SMPP_STATUS.RINVMSGLEN);
  });

  it("reads data_coding 0 as UTF-8 and 8 as UTF-16BE (Genesys' table), and message_payload", async () => {
    const s = await bound(3, "transmitter");
    const utf8 = await call(s, "submit_sm", { ...SUBMIT, registered_delivery: 0, data_coding: 0, short_message: Buffer.from("héllo 👋", "utf8") });
    const ucs2 = await call(s, "submit_sm", { ...SUBMIT, registered_delivery: 0, data_coding: 8, short_message: Buffer.from("héllo", "utf16le").swap16() });
    const payload = await call(s, "submit_sm", {
      ...SUBMIT, registered_delivery: 0, data_coding: 0, short_message: Buffer.alloc(0), message_payload: Buffer.from("y".repeat(400)),
    });
    const len = (id: string): number | undefined => sim.ledger.mtAccepted.find((m) => m.message_id === id)?.textLength;
    expect([len(utf8.message_id), len(ucs2.message_id), len(payload.message_id)]).toEqual([7, 5, 400]);
    expect(sim.ledger.mtAccepted.find((m) => m.message_id === ucs2.message_id)?.dataCoding).toBe(8);
  });

  it("answers enquire_link and sends its own", async () => {
    const s = await bound(0, "transmitter");
    const fromSmsc = next(s, "enquire_link");
    expect((await call(s, "enquire_link")).command_status).toBe(0);
    const el = await fromSmsc;
    expect(el.sequence_number).toBeGreaterThan(0);
    s.send(el.response());
  });

  it("answers generic_nack ESME_RINVCMDID to commands Genesys does not support", async () => {
    const s = await bound(1);
    for (const cmd of ["query_sm", "cancel_sm", "replace_sm", "submit_multi"]) {
      const nack = next(s, "generic_nack");
      s.send(new smpp.PDU(cmd, { message_id: "1", source_addr: "12345" }));
      const r = await nack;
      expect(r.command_status).toBe(SMPP_STATUS.RINVCMDID);
    }
  });

  it("answers a client unbind with unbind_resp and closes; the bind leaves activeBinds", async () => {
    const s = await bound(3);
    const sessionId = sim.ledger.binds.at(-1)!.sessionId;
    expect(sim.ledger.activeBinds.some((b) => b.sessionId === sessionId)).toBe(true);
    const resp = await call(s, "unbind");
    expect(resp.command_status).toBe(0);
    await closed(s);
    await sim.ledger.waitFor((l) => !l.activeBinds.some((b) => b.sessionId === sessionId));
    expect(sim.ledger.unbinds.at(-1)).toMatchObject({ node: "smc2.bos", by: "client" });
  });
});

describe("SMSC message ids", () => {
  it("never share a hex/decimal reading within a run, whatever the run's prefix (the lowest included)", () => {
    for (const r of [0, 0.5, 0.999999]) {
      const ids = new IdMaker(() => r);
      const owner = new Map<string, string>();
      for (let i = 0; i < 2_000; i++) {
        const id = ids.smsc();
        expect(id).toMatch(/^[0-9A-F]{10}$/);
        for (const form of smscMessageIdForms(id)) {
          expect(owner.get(form) ?? id).toBe(id);
          owner.set(form, id);
        }
      }
    }
  });
});

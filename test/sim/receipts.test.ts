// Receipt behaviour and its configurable misbehaviour: from the other site, twice, before the
// submit_sm_resp; delayed; held until a receiver bind exists; the same shares for HTTP callbacks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type smpp from "smpp";
import { startSimulator } from "../../sim/index.ts";
import type { NodeName, Simulator } from "../../sim/index.ts";
import { MT, bindClient, call, callbackReceiver, destroyAll, httpSend, sleep } from "./helpers.ts";

let sim: Simulator;
const open: smpp.Session[] = [];
const SUBMIT = { source_addr: "12345", destination_addr: "12025550100", short_message: "hi", registered_delivery: 1 };

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0 });
});
afterEach(() => {
  destroyAll(open);
  sim.configure({ receipts: { otherSiteShare: 0, duplicateShare: 0, earlyShare: 0, delayMs: 0, mix: { DELIVERED: 1 }, enrouteShare: 0, lateEnrouteShare: 0, freeTextShare: 0 } });
});
afterAll(() => sim.stop());

/** A bound transceiver that acks every deliver_sm and logs what it received, in order. */
interface Logged { command: string; id?: string; node: NodeName; state?: number; text?: string }

async function client(name: NodeName): Promise<{ s: smpp.Session; log: Logged[] }> {
  const n = sim.nodes.find((x) => x.name === name)!;
  const log: Logged[] = [];
  const { session, status } = await bindClient(n.host, n.port, {
    setup: (session) => session.on("pdu", (pdu: smpp.PDU) => {
      if (pdu.command === "deliver_sm") {
        const sm = pdu.short_message as { message?: unknown } | Buffer | string | undefined;
        const text = typeof sm === "string" ? sm : Buffer.isBuffer(sm) ? sm.toString("latin1") : String(sm?.message ?? "");
        log.push({ command: "deliver_sm", id: pdu.receipted_message_id, node: name, state: pdu.message_state, text });
        session.send(pdu.response());
      } else if (pdu.command === "submit_sm_resp") log.push({ command: "submit_sm_resp", id: pdu.message_id, node: name });
    }),
  });
  expect(status).toBe(0);
  open.push(session);
  return { s: session, log };
}

const receiptsFor = (logs: Logged[][], id: string) =>
  logs.flat().filter((e) => e.command === "deliver_sm" && e.id === id);

describe("SMPP receipts", () => {
  it("by default come once, after the submit_sm_resp, from a node of the same site", async () => {
    const a = await client("smc1.dc3");
    const b = await client("smc2.dc3");
    const c = await client("smc1.bos");
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await call(a.s, "submit_sm", SUBMIT)).message_id);
    await sim.ledger.waitFor((l) => ids.every((id) => l.receiptsAcked.some((r) => r.message_id === id)));
    for (const id of ids) {
      const got = receiptsFor([a.log, b.log, c.log], id);
      expect(got).toHaveLength(1);
      expect(got[0]!.node).toMatch(/\.dc3$/);
    }
    for (const id of ids) {
      const resp = a.log.findIndex((e) => e.command === "submit_sm_resp" && e.id === id);
      const dr = a.log.findIndex((e) => e.command === "deliver_sm" && e.id === id);
      if (dr !== -1) expect(dr).toBeGreaterThan(resp);
    }
  });

  it("otherSiteShare 1: every receipt comes from the other site", async () => {
    sim.configure({ receipts: { otherSiteShare: 1 } });
    const a = await client("smc1.dc3");
    const b = await client("smc2.bos");
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await call(a.s, "submit_sm", SUBMIT)).message_id);
    await sim.ledger.waitFor((l) => ids.every((id) => l.receiptsAcked.some((r) => r.message_id === id)));
    for (const id of ids) expect(receiptsFor([a.log, b.log], id).map((e) => e.node)).toEqual(["smc2.bos"]);
  });

  it("duplicateShare 1: every receipt comes twice, the second marked duplicate in the ledger", async () => {
    sim.configure({ receipts: { duplicateShare: 1 } });
    const a = await client("smc2.dc3");
    const id = (await call(a.s, "submit_sm", SUBMIT)).message_id;
    await sim.ledger.waitFor((l) => l.receiptsAcked.filter((r) => r.message_id === id).length === 2);
    expect(receiptsFor([a.log], id)).toHaveLength(2);
    expect(sim.ledger.receiptsEmitted.filter((r) => r.message_id === id).map((r) => r.duplicate)).toEqual([false, true]);
  });

  it("earlyShare 1: the receipt arrives before the submit_sm_resp", async () => {
    sim.configure({ receipts: { earlyShare: 1 } });
    const a = await client("smc1.bos");
    const id = (await call(a.s, "submit_sm", SUBMIT)).message_id;
    const order = a.log.filter((e) => e.id === id).map((e) => e.command);
    expect(order).toEqual(["deliver_sm", "submit_sm_resp"]);
    expect(sim.ledger.receiptsEmitted.find((r) => r.message_id === id)?.early).toBe(true);
  });

  it("delayMs: the receipt waits", async () => {
    sim.configure({ receipts: { delayMs: 150 } });
    const a = await client("smc2.bos");
    const id = (await call(a.s, "submit_sm", SUBMIT)).message_id;
    await sleep(60);
    expect(receiptsFor([a.log], id)).toHaveLength(0);
    await sim.ledger.waitFor((l) => l.receiptsAcked.some((r) => r.message_id === id));
  });

  it("with no receiver bind, a receipt waits for one (on any node)", async () => {
    const n = sim.nodes.find((x) => x.name === "smc1.dc3")!;
    const { session: tx } = await bindClient(n.host, n.port, { kind: "transmitter" });
    open.push(tx);
    const id = (await call(tx, "submit_sm", SUBMIT)).message_id;
    await sleep(50);
    expect(sim.ledger.receiptsEmitted.some((r) => r.message_id === id)).toBe(false);
    const rx = await client("smc2.bos");
    await sim.ledger.waitFor((l) => l.receiptsAcked.some((r) => r.message_id === id));
    expect(receiptsFor([rx.log], id)).toHaveLength(1);
  });
});

describe("receipt fates", () => {
  const CODE: Record<string, number> = { ENROUTE: 1, DELIVERED: 2, EXPIRED: 3, UNDELIVERABLE: 5, REJECTED: 8 };

  it("SMPP: a final state from the mix per MT, an ENROUTE before or after it, some in free text; the ledger records each fate", async () => {
    sim.configure({ receipts: { mix: { DELIVERED: 1, UNDELIVERABLE: 1, EXPIRED: 1, REJECTED: 1 }, enrouteShare: 0.6, lateEnrouteShare: 0.5, freeTextShare: 0.3 } });
    const a = await client("smc1.dc3");
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await call(a.s, "submit_sm", SUBMIT)).message_id);
    const fates = new Map(sim.ledger.receiptFates.filter((f) => f.via === "smpp").map((f) => [f.message_id, f]));
    await sim.ledger.waitFor((l) => ids.every((id) => l.receiptsAcked.filter((r) => r.message_id === id).length === fates.get(id)?.receipts));
    await sleep(50);
    for (const id of ids) {
      const f = fates.get(id)!;
      const want = f.enroute === "before" ? ["ENROUTE", f.final] : f.enroute === "after" ? [f.final, "ENROUTE"] : [f.final];
      const got = receiptsFor([a.log], id);
      expect(got.map((e) => e.state)).toEqual(want.map((s) => CODE[s]));
      const final = got.find((e) => e.state === CODE[f.final])!;
      if (/stat:/.test(final.text!)) {
        expect(final.text).toContain(`err:${f.final === "DELIVERED" ? "000" : f.errorCode}`);
      } else expect(final.text).not.toMatch(/\bid:|stat:/); // the carrier's free text: only the TLVs say what it is
    }
    const finals = new Set([...fates.values()].map((f) => f.final));
    expect([...finals].sort()).toEqual(["DELIVERED", "EXPIRED", "REJECTED", "UNDELIVERABLE"]);
    const enroutes = [...fates.values()].map((f) => f.enroute);
    expect(enroutes).toContain("before");
    expect(enroutes).toContain("after");
    expect(enroutes).toContain("none");
    expect(a.log.filter((e) => e.command === "deliver_sm").some((e) => !/stat:/.test(e.text!))).toBe(true);
    expect(sim.ledger.receiptsEmitted.filter((r) => ids.includes(r.message_id)).every((r) => r.state !== undefined)).toBe(true);
  });

  it("HTTP: a long text gets one final receipt per segment, after an ENROUTE; result_code says a failure", async () => {
    const cb = await callbackReceiver();
    try {
      sim.configure({ callbackUrl: cb.url, receipts: { mix: { UNDELIVERABLE: 1 }, enrouteShare: 1 } });
      expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: "rf-1", receipt: "TRUE", message: "x".repeat(400) })).body).toBe("result=0");
      await sim.ledger.waitFor((l) => l.callbacksSucceeded.filter((c) => c.message_id === "rf-1").length === 4);
      expect(cb.forms.filter((f) => f.get("message_id") === "rf-1").map((f) => [f.get("message_state"), f.get("result_code")])).toEqual([["1", "0"], ["5", "1"], ["5", "1"], ["5", "1"]]);
      expect(sim.ledger.receiptFates.find((f) => f.message_id === "rf-1")).toMatchObject({ via: "http", final: "UNDELIVERABLE", enroute: "before", receipts: 4 });
    } finally {
      await cb.close();
    }
  });
});

describe("HTTP receipt callbacks", () => {
  it("apply the same shares: other site, twice, and before the HTTP answer", async () => {
    const cb = await callbackReceiver();
    try {
      sim.configure({ callbackUrl: cb.url, receipts: { otherSiteShare: 1, duplicateShare: 1, earlyShare: 1 } });
      let answeredAfterCallback = false;
      const r = await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: "rc-1", receipt: "TRUE" }).then((x) => {
        answeredAfterCallback = cb.forms.length >= 1;
        return x;
      });
      expect(r.body).toBe("result=0");
      expect(answeredAfterCallback).toBe(true);
      await sim.ledger.waitFor((l) => l.callbacksSucceeded.filter((c) => c.message_id === "rc-1").length === 2);
      expect(cb.forms.map((f) => f.get("message_id"))).toEqual(["rc-1", "rc-1"]);
      expect(sim.ledger.callbacksSucceeded.filter((c) => c.message_id === "rc-1").map((c) => c.site)).toEqual(["bos", "bos"]);
    } finally {
      await cb.close();
    }
  });
});

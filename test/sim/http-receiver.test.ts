// The HTTP receivers: every result code on purpose, GET and POST, cross-site dedup (each model), receipt
// callbacks and Genesys' callback retry count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/index.ts";
import type { Simulator } from "../../sim/index.ts";
import { GENESYS_CALLBACK_RETRY } from "../../sim/simulator.ts";
import { MT, callbackReceiver, httpSend } from "./helpers.ts";

let sim: Simulator;
let n = 0;
const id = (): string => `http-${++n}`;

beforeAll(async () => {
  sim = await startSimulator({ callbackRetry: { intervalMs: 30, retries: 2 } });
});
afterAll(() => sim.stop());

const cases: { name: string; params: Record<string, string>; result: number }[] = [
  { name: "accepted", params: {}, result: 0 },
  { name: "missing phone_number", params: { phone_number: "" }, result: 1 },
  { name: "phone with +", params: { phone_number: "+12025550100" }, result: 1 },
  { name: "bad receipt flag", params: { receipt: "yes" }, result: 1 },
  { name: "bad priority", params: { priority: "URGENT" }, result: 1 },
  { name: "attachment without type", params: { "mms_attachment[0].content": "aGk=" }, result: 1 },
  { name: "wrong password", params: { password: "nope" }, result: 2 },
  { name: "unknown carrier", params: { carrier: "unknown" }, result: 3 },
  { name: "sender with +", params: { sender: "+12025550199" }, result: 4 },
  { name: "sender starting with 0", params: { sender: "01234" }, result: 4 },
  { name: "sender not approved", params: { sender: "99999" }, result: 5 },
  { name: "1601 characters", params: { message: "é".repeat(1601) }, result: 8 },
  { name: "1600 characters", params: { message: "é".repeat(1600) }, result: 0 },
  {
    name: "every optional parameter",
    params: {
      carrier: "att", receipt: "false", app_id: "app", conversation_id: "conv", priority: "INTERACTIVE",
      "mms_attachment[0].content_type": "image/png", "mms_attachment[0].content": "aGk=",
    },
    result: 0,
  },
];

describe("HTTP receiver result codes", () => {
  for (const c of cases) {
    it(`${c.name} → result=${c.result}`, async () => {
      const r = await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: id(), ...c.params });
      expect(r.status).toBe(200);
      expect(r.body).toBe(`result=${c.result}`);
    });
  }

  it("takes GET queries as well as POST forms, in UTF-8", async () => {
    const mid = id();
    const r = await httpSend(sim.sites.bos.httpUrl, { ...MT, message: "héllo 👋", message_id: mid }, { method: "GET" });
    expect(r.body).toBe("result=0");
    expect(sim.ledger.mtAccepted.find((m) => m.message_id === mid)).toMatchObject({ site: "bos", via: "http", textLength: 7 });
  });

  it("deduplicates message_id across both sites (new at dc3 → 0, same at bos → 7, again at dc3 → 7)", async () => {
    const mid = id();
    expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid })).body).toBe("result=0");
    expect((await httpSend(sim.sites.bos.httpUrl, { ...MT, message_id: mid })).body).toBe("result=7");
    expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid })).body).toBe("result=7");
    expect(sim.ledger.duplicates.filter((d) => d.message_id === mid).map((d) => d.site)).toEqual(["bos", "dc3"]);
    expect(sim.ledger.mtAccepted.filter((m) => m.message_id === mid)).toHaveLength(1);
  });

  it("per-site dedup: each site knows only its own ids (the other site takes a repeat again)", async () => {
    const mid = id();
    sim.configure({ mtDedup: "per-site" });
    try {
      expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid })).body).toBe("result=0");
      expect((await httpSend(sim.sites.bos.httpUrl, { ...MT, message_id: mid })).body).toBe("result=0");
      expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid })).body).toBe("result=7");
      expect(sim.ledger.mtAccepted.filter((m) => m.message_id === mid).map((m) => m.site)).toEqual(["dc3", "bos"]);
    } finally {
      sim.configure({ mtDedup: "shared" });
    }
  });

  it("shared dedup with a replication delay: the other site learns an id only after the delay", async () => {
    let t = 1_000_000;
    const own = await startSimulator({ mtDedup: { replicationDelayMs: 5_000 }, now: () => t });
    try {
      const [a, b, c] = [id(), id(), id()];
      expect((await httpSend(own.sites.dc3.httpUrl, { ...MT, message_id: a })).body).toBe("result=0");
      expect((await httpSend(own.sites.dc3.httpUrl, { ...MT, message_id: a })).body).toBe("result=7"); // its own site: at once
      t += 4_999;
      expect((await httpSend(own.sites.bos.httpUrl, { ...MT, message_id: a })).body).toBe("result=0"); // not replicated yet
      expect((await httpSend(own.sites.bos.httpUrl, { ...MT, message_id: b })).body).toBe("result=0");
      t += 5_000;
      expect((await httpSend(own.sites.dc3.httpUrl, { ...MT, message_id: b })).body).toBe("result=7"); // replicated
      expect((await httpSend(own.sites.dc3.httpUrl, { ...MT, message_id: c })).body).toBe("result=0");
      t += 5_000;
      expect((await httpSend(own.sites.bos.httpUrl, { ...MT, message_id: c })).body).toBe("result=7");
      const cfg = await (await fetch(`${own.controlUrl}/config`)).json();
      expect(cfg.mtDedup).toEqual({ replicationDelayMs: 5_000 });
      const bad = await fetch(`${own.controlUrl}/config`, { method: "POST", body: JSON.stringify({ mtDedup: "sometimes" }) });
      expect(bad.status).toBe(400);
    } finally {
      await own.stop();
    }
  });

  it("a result fault can come with an HTTP status (a 400 whose body says result=1)", async () => {
    sim.addFault({ target: "dc3", kind: "result", result: 1, status: 400, count: 1 });
    const r = await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: id() });
    expect([r.status, r.body]).toEqual([400, "result=1"]);
  });

  it("does not burn a message_id on a rejection (a retry after 6/98 is not a duplicate)", async () => {
    const mid = id();
    expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid, password: "x" })).body).toBe("result=2");
    expect((await httpSend(sim.sites.bos.httpUrl, { ...MT, message_id: mid })).body).toBe("result=0");
  });

  it("answers 404 off the receiver path", async () => {
    const r = await httpSend(sim.sites.dc3.httpUrl.replace("/httpapi/receiver", "/other"), { ...MT, message_id: id() });
    expect(r.status).toBe(404);
  });

  it("never records message text in the ledger", () => {
    expect(JSON.stringify(sim.ledger)).not.toContain("hello");
  });
});

describe("HTTP receipts as callbacks", () => {
  it("POSTs a receipt callback with app_id and conversation_id, retrying non-2xx with the same message_id", async () => {
    const cb = await callbackReceiver([500, 503]);
    try {
      sim.configure({ callbackUrl: cb.url });
      const mid = id();
      const r = await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: mid, receipt: "TRUE", app_id: "a1", conversation_id: "c1" });
      expect(r.body).toBe("result=0");
      await sim.ledger.waitFor((l) => l.callbacksSucceeded.some((c) => c.message_id === mid));
      expect(cb.forms).toHaveLength(3);
      for (const f of cb.forms) {
        expect(Object.fromEntries(f)).toEqual({
          type: "receipt", message_id: mid, message_state: "2", result_code: "0", app_id: "a1", conversation_id: "c1",
        });
      }
      expect(sim.ledger.callbacksAttempted.filter((c) => c.message_id === mid).map((c) => c.outcome)).toEqual([500, 503, 200]);
      expect(sim.ledger.receiptsAcked.filter((c) => c.message_id === mid)).toHaveLength(1);
    } finally {
      await cb.close();
    }
  });

  it("gives up after the first attempt and `retries` more, counting a network error as a failure", async () => {
    sim.configure({ callbackUrl: "http://127.0.0.1:1/unreachable" });
    const mid = id();
    await httpSend(sim.sites.bos.httpUrl, { ...MT, message_id: mid, receipt: "TRUE" });
    await sim.ledger.waitFor((l) => l.abandoned.some((a) => a.message_id === mid));
    const attempts = sim.ledger.callbacksAttempted.filter((c) => c.message_id === mid);
    expect(attempts.map((a) => a.outcome)).toEqual(["network_error", "network_error", "network_error"]);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
  });

  it("Genesys' policy by default: retried 25 times after the first attempt, 26 attempts in all", async () => {
    expect(GENESYS_CALLBACK_RETRY).toEqual({ intervalMs: 600_000, retries: 25 });
    const dflt = await startSimulator();
    try {
      expect((await (await fetch(`${dflt.controlUrl}/config`)).json()).callbackRetry).toEqual({ intervalMs: 600_000, retries: 25 });
    } finally {
      await dflt.stop();
    }
    // The same count, scaled to 1 ms: every attempt fails, the 26th is the last.
    const fast = await startSimulator({ callbackRetry: { ...GENESYS_CALLBACK_RETRY, intervalMs: 1 }, callbackUrl: "http://127.0.0.1:1/unreachable" });
    try {
      const mid = id();
      await httpSend(fast.sites.dc3.httpUrl, { ...MT, message_id: mid, receipt: "TRUE" });
      await fast.ledger.waitFor((l) => l.abandoned.some((a) => a.message_id === mid), 10_000);
      await new Promise((r) => setTimeout(r, 20)); // an attempt past the last would show now
      expect(fast.ledger.callbacksAttempted.filter((c) => c.message_id === mid).map((a) => a.attempt)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
      expect(fast.ledger.abandoned.find((a) => a.message_id === mid)).toMatchObject({ attempts: 26 });
    } finally {
      await fast.stop();
    }
  });
});

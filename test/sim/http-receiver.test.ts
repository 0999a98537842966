// The HTTP receivers: every result code on purpose, GET and POST, cross-site dedup, receipt callbacks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/index.ts";
import type { Simulator } from "../../sim/index.ts";
import { MT, callbackReceiver, httpSend } from "./helpers.ts";

let sim: Simulator;
let n = 0;
const id = (): string => `http-${++n}`;

beforeAll(async () => {
  sim = await startSimulator({ callbackRetry: { intervalMs: 30, maxAttempts: 3 } });
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

  it("gives up after maxAttempts, counting a network error as a failure", async () => {
    sim.configure({ callbackUrl: "http://127.0.0.1:1/unreachable" });
    const mid = id();
    await httpSend(sim.sites.bos.httpUrl, { ...MT, message_id: mid, receipt: "TRUE" });
    await sim.ledger.waitFor((l) => l.abandoned.some((a) => a.message_id === mid));
    const attempts = sim.ledger.callbacksAttempted.filter((c) => c.message_id === mid);
    expect(attempts.map((a) => a.outcome)).toEqual(["network_error", "network_error", "network_error"]);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
  });
});

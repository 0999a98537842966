// The control API's own contract (health, validation as problem+json, config) and the ledger's shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/index.ts";
import type { LedgerSnapshot, Simulator } from "../../sim/index.ts";
import { MT, control, httpSend } from "./helpers.ts";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ account: { login: "acme", password: "s3cret" } });
});
afterAll(() => sim.stop());

describe("control API", () => {
  it("GET /health lists where everything listens", async () => {
    const r = await control(sim, "GET", "/health");
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(true);
    expect(r.json.sites.dc3.httpUrl).toBe(sim.sites.dc3.httpUrl);
    expect(r.json.nodes.map((n: { name: string }) => n.name)).toEqual(["smc1.dc3", "smc2.dc3", "smc1.bos", "smc2.bos"]);
    expect(new Set(sim.nodes.map((n) => n.port)).size).toBe(4);
  });

  it("refuses a bad fault with problem+json naming every problem", async () => {
    const r = await control(sim, "POST", "/faults", { target: "mars", kind: "explode", count: -1 });
    expect(r.status).toBe(400);
    expect(r.type).toBe("application/problem+json");
    expect(r.json.detail).toMatch(/target/);
    expect(r.json.detail).toMatch(/kind/);
    expect(r.json.detail).toMatch(/count/);
    expect((await control(sim, "POST", "/faults", { target: "dc3", kind: "latency" })).status).toBe(400);
  });

  it("lists faults with their ids and answers 404 for an unknown one", async () => {
    const { json } = await control(sim, "POST", "/faults", { target: "smc1.bos", kind: "throttle", count: 3 });
    expect((await control(sim, "GET", "/faults")).json).toEqual([{ id: json.id, target: "smc1.bos", kind: "throttle", count: 3 }]);
    expect((await control(sim, "DELETE", "/faults/nope")).status).toBe(404);
    expect((await control(sim, "DELETE", `/faults/${json.id}`)).status).toBe(204);
  });

  it("refuses a bad MO and an unknown route", async () => {
    const mo = await control(sim, "POST", "/mo", { from: 1, via: "pigeon" });
    expect(mo.status).toBe(400);
    expect(mo.type).toBe("application/problem+json");
    expect((await control(sim, "GET", "/nowhere")).status).toBe(404);
  });

  it("POST /config patches the config and never echoes the password", async () => {
    const r = await control(sim, "POST", "/config", { receipts: { duplicateShare: 0.5 }, deliverAckTimeoutMs: 1234 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ receipts: { duplicateShare: 0.5, otherSiteShare: 0 }, deliverAckTimeoutMs: 1234 });
    expect(JSON.stringify(r.json)).not.toContain("s3cret");
  });

  it("uses the configured account for HTTP", async () => {
    expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, message_id: "c-1" })).body).toBe("result=2");
    expect((await httpSend(sim.sites.dc3.httpUrl, { ...MT, login: "acme", password: "s3cret", message_id: "c-1" })).body).toBe("result=0");
  });
});

describe("ledger", () => {
  it("GET /ledger serves the same JSON snapshot as the object, without message text", async () => {
    await httpSend(sim.sites.bos.httpUrl, { ...MT, login: "acme", password: "s3cret", message_id: "c-2", message: "secret words" });
    const r = await control(sim, "GET", "/ledger");
    const snap = r.json as LedgerSnapshot;
    expect(snap).toEqual(JSON.parse(JSON.stringify(sim.ledger)));
    expect(Object.keys(snap).sort()).toEqual([
      "abandoned", "activeBinds", "bindAttempts", "binds", "callbacksAttempted", "callbacksSucceeded", "connections", "duplicates",
      "mosAcked", "mosEmitted", "mtAccepted", "mtRejected", "receiptFates", "receiptsAcked", "receiptsEmitted", "redeliveries", "unbinds",
    ]);
    expect(snap.mtAccepted.find((m) => m.message_id === "c-2")).toMatchObject({ site: "bos", textLength: 12, to: MT.phone_number });
    expect(JSON.stringify(snap)).not.toContain("secret words");
  });

  it("waitFor rejects when the condition never holds, and clear() empties it", async () => {
    await expect(sim.ledger.waitFor(() => false, 50)).rejects.toThrow(/50 ms/);
    sim.ledger.clear();
    expect(sim.ledger.mtAccepted).toHaveLength(0);
  });
});

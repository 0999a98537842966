// Destination rules against SMS pumping on the edge app (in Node, against the real simulator): invalid numbers,
// countries off the allow-list (calling codes or ISO regions) and refused types (premium rate) get 422 naming
// the rule, and nothing reaches Genesys; a refused number uses up no rate-limit budget.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../contract/clock.ts";
import { createApp } from "../../edge/app.ts";
import { parseConfig } from "../../edge/config.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { edgeEnv, GENESYS_ACCOUNT, TEST_KEY } from "./harness.ts";

let sim: Simulator;
beforeAll(async () => { sim = await startSimulator({ controlPort: 0, httpPorts: { dc3: 0, bos: 0 }, account: GENESYS_ACCOUNT }); });
afterAll(async () => { await sim?.stop(); });

async function edge(extra: Record<string, string>) {
  const env = await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, "http://127.0.0.1:9", extra);
  const parsed = parseConfig(env);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  const app = createApp({ config: parsed.output, clock: new ManualClock(), fetch });
  let n = 0;
  return async (to: string) => {
    const id = `dst-${Math.random().toString(36).slice(2)}-${++n}`;
    const res = await app.request("/v1/messages", {
      method: "POST", headers: { "content-type": "application/json", "idempotency-key": id, authorization: `Bearer ${TEST_KEY}` },
      body: JSON.stringify({ to, sender: "12345", text: "hello" }),
    });
    const json = await res.json() as Record<string, any>;
    return { status: res.status, type: res.headers.get("content-type"), json, sent: sim.ledger.mtAccepted.filter((e) => e.message_id === id).length };
  };
}

describe("edge destination rules", () => {
  it("with +1 and +44 allowed: other countries, premium-rate and invalid numbers are 422 naming the rule; nothing sent", async () => {
    const send = await edge({ DESTINATION_COUNTRIES: "+1,+44" });
    for (const ok of ["+12025550100", "+14165550123", "+447400123456", "+447911123456"]) expect(await send(ok), ok).toMatchObject({ status: 202, sent: 1 });
    const france = await send("+33612345678");
    expect(france).toMatchObject({ status: 422, type: "application/problem+json", sent: 0, json: { rule: "country", country: "FR" } });
    expect(france.json.detail).toMatch(/FR is not allowed/);
    const premium = await send("+19005550100");
    expect(premium).toMatchObject({ status: 422, sent: 0, json: { rule: "number_type", numberType: "PREMIUM_RATE" } });
    expect(premium.json.detail).toMatch(/premium-rate numbers are refused/);
    expect(await send("+448712345678")).toMatchObject({ status: 422, sent: 0, json: { rule: "number_type" } });
    // A possible length (the contract lets it through) in a range no one assigned.
    expect(await send("+12021550100")).toMatchObject({ status: 422, sent: 0, json: { rule: "invalid_number" } });
    // An impossible length is the contract's 400, on the edge as on the core.
    expect(await send("+1202555010")).toMatchObject({ status: 400, sent: 0 });
  });

  it("ISO regions are tighter than calling codes: US,GB refuses Jamaica (+1) and Guernsey (+44)", async () => {
    const send = await edge({ DESTINATION_COUNTRIES: "US,GB" });
    expect(await send("+12025550100")).toMatchObject({ status: 202, sent: 1 });
    expect(await send("+447400123456")).toMatchObject({ status: 202, sent: 1 });
    expect(await send("+18765551234")).toMatchObject({ status: 422, sent: 0, json: { rule: "country", country: "JM" } });
    expect(await send("+447911123456")).toMatchObject({ status: 422, sent: 0, json: { rule: "country", country: "GG" } });
  });

  it("without an allow-list every country goes; the refused types are configurable", async () => {
    const all = await edge({});
    expect(await all("+33612345678")).toMatchObject({ status: 202, sent: 1 });
    expect((await all("+19005550100")).status).toBe(422);
    const none = await edge({ DESTINATION_REFUSED_TYPES: "NONE" });
    expect(await none("+19005550100")).toMatchObject({ status: 202, sent: 1 });
    const mobiles = await edge({ DESTINATION_REFUSED_TYPES: "MOBILE" });
    expect(await mobiles("+447400123456")).toMatchObject({ status: 422, json: { numberType: "MOBILE" } });
  });

  it("a refused number uses up no rate-limit budget", async () => {
    const send = await edge({ DESTINATION_COUNTRIES: "+1", RATE_LIMIT_PRINCIPAL: "1/60" });
    expect((await send("+33612345678")).status).toBe(422);
    expect(await send("+12025550100")).toMatchObject({ status: 202, sent: 1 });
    expect((await send("+12025550111")).status).toBe(429);
  });

  it("names bad settings", async () => {
    const env = await edgeEnv({ dc3: "http://127.0.0.1:9/x", bos: "http://127.0.0.1:10/x" }, "http://127.0.0.1:9", { DESTINATION_COUNTRIES: "+1,XX,+999", DESTINATION_REFUSED_TYPES: "PREMIUM_RATE,EXPENSIVE" });
    const r = parseConfig(env);
    expect(r.success ? [] : r.issues.map((i) => i.path)).toEqual(["DESTINATION_COUNTRIES", "DESTINATION_COUNTRIES", "DESTINATION_REFUSED_TYPES"]);
  });
});

// The health layers across real isolates: the shared per-location layer (Cache API) carries one Deno
// process's failure to another, and in workerd the scheduled prober writes KV, which a cold isolate obeys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { edgeEnv, GENESYS_ACCOUNT, startDenoEdge, startFakeCore, startWorkerdEdge, TEST_KEY, type FakeCore, type RunningEdge } from "./harness.ts";

const MSG = { to: "+12025550100", sender: "12345", text: "hello" };

async function send(edge: RunningEdge, id: string): Promise<any> {
  const res = await fetch(`${edge.url}/v1/messages`, {
    method: "POST", headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json", "idempotency-key": id },
    body: JSON.stringify(MSG),
  });
  return res.json();
}

describe("health layers in real runtimes", () => {
  let sim: Simulator;
  let core: FakeCore;
  const edges: RunningEdge[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    [sim, core] = await Promise.all([startSimulator({ account: GENESYS_ACCOUNT }), startFakeCore()]);
    env = await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, core.url, { BREAKER_COOLDOWN_MS: "20000" });
  });
  afterAll(async () => {
    await Promise.all(edges.map((e) => e.stop()));
    await Promise.all([sim?.stop(), core?.close()]);
  });

  it("Deno: a second process learns from the shared cache that the primary is down, without touching it", async () => {
    const a = await startDenoEdge(env);
    edges.push(a);
    sim.addFault({ target: "dc3", kind: "down" });
    await sim.settled();
    const first = await send(a, "layers-deno-1");
    expect(first.attempts.map((x: any) => x.site)).toEqual(["dc3", "bos"]);

    const b = await startDenoEdge(env);
    edges.push(b);
    const r = await send(b, "layers-deno-2");
    expect(r).toMatchObject({ status: "accepted", site: "bos" });
    expect(r.attempts.map((x: any) => x.outcome)).toEqual(["skipped", "accepted"]);
    const h = await (await fetch(`${b.url}/v1/health`)).json();
    expect(h.sites[0]).toMatchObject({ site: "dc3", state: "down", source: "shared" });
    sim.clearFaults();
    await sim.settled();
  });

  it("workerd: the scheduled prober writes KV; an isolate's first send skips the site KV says is down", async () => {
    sim.addFault({ target: "bos", kind: "down" });
    await sim.settled();
    const e = await startWorkerdEdge({ ...env, GENESYS_PRIMARY: "bos" }, { kv: true });
    edges.push(e);
    const worker = await e.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *" });
    const kv = await e.mf.getKVNamespace("HEALTH_KV");
    const rec = await kv.get("edge-health:bos", "json");
    expect(rec).toMatchObject({ site: "bos", state: "down", by: "probe" });
    expect(await kv.get("edge-health:dc3", "json")).toMatchObject({ state: "up", by: "probe" });

    const r = await send(e, "layers-kv-1");
    expect(r).toMatchObject({ status: "accepted", site: "dc3" });
    expect(r.attempts.map((x: any) => `${x.site}:${x.outcome}`)).toEqual(["bos:skipped", "dc3:accepted"]);
    sim.clearFaults();
    await sim.settled();
  });
});

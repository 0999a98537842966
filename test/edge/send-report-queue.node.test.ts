// Send reports survive the core being away, in each real runtime: workerd (a Cloudflare Queue, Miniflare's, produced
// and consumed by the same Worker, with a dead-letter queue) and Deno (Deno KV's queue in a KV file). The core
// refuses the first reports with 503, more often than the edge's in-memory retries would try, then takes them; the
// record appears at the core with no further request to the edge. On Deno the edge process is also stopped while
// the report waits in the queue, and a new process on the same KV file delivers it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { edgeEnv, GENESYS_ACCOUNT, keyHash, startDenoEdge, startFakeCore, startWorkerdEdge, TEST_KEY, CORE_TOKEN, type FakeCore, type RunningEdge } from "./harness.ts";

const kvDir = mkdtempSync(join(tmpdir(), "edge-report-kv-"));
afterAll(() => rmSync(kvDir, { recursive: true, force: true }));

/** More refusals than the in-memory path tries (1 + 3 backoff waits): only a queue gets past them. */
const REFUSALS = 5;

async function until(cond: () => boolean, what: () => string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error(`timed out waiting for ${what()} (${ms} ms)`);
}

type Start = (env: Record<string, string>) => Promise<RunningEdge & { logs?: readonly string[] }>;
const runtimes: Record<string, { start: Start; env: Record<string, string> }> = {
  workerd: { start: (env) => startWorkerdEdge(env, { reportQueue: { maxRetries: 10 } }), env: { SEND_REPORT_RETRY_S: "1" } },
  deno: { start: (env) => startDenoEdge(env), env: { DENO_KV_PATH: join(kvDir, "edge.kv"), SEND_REPORT_RETRY_S: "3,1,1,1,1" } },
};

describe.each(Object.keys(runtimes))("send reports in %s: durable while the core refuses", (runtime) => {
  let sim: Simulator;
  let core: FakeCore;
  let env: Record<string, string>;
  let edge: RunningEdge & { logs?: readonly string[] };

  beforeAll(async () => {
    [sim, core] = await Promise.all([startSimulator({ controlPort: 0, httpPorts: { dc3: 0, bos: 0 }, account: GENESYS_ACCOUNT }), startFakeCore()]);
    env = await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, core.url, runtimes[runtime]!.env);
    edge = await runtimes[runtime]!.start(env);
  });
  afterAll(async () => {
    await edge?.stop();
    await Promise.all([sim?.stop(), core?.close()]);
  });

  it("a report the core refuses is queued and reaches the core once it takes reports again, with no further request", async () => {
    const id = `${runtime}-durable-1`;
    core.sendAnswers.push(...Array<number>(REFUSALS).fill(503));
    const res = await fetch(`${edge.url}/v1/messages`, {
      method: "POST", headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json", "idempotency-key": id },
      body: JSON.stringify({ to: "+12025550100", sender: "12345", text: "durable" }),
    });
    expect(res.status).toBe(202);
    await res.body?.cancel();
    const tries = () => core.sends.filter((s) => s.id === id);
    if (runtime === "deno") {
      // Once refused twice the report is in the KV queue (the direct try, then a queued delivery): the process
      // that made it ends while the report waits out its first retry (3 s; stopped 1 s in, not mid-delivery), and a
      // new one on the same KV file carries on. No request reaches either.
      await until(() => tries().length >= 2, () => "two refused tries");
      await new Promise((r) => setTimeout(r, 1000));
      expect(edge.logs!.some((l) => l.includes("send reports are not durable"))).toBe(false);
      await edge.stop();
      edge = await runtimes[runtime]!.start(env);
    }
    await until(() => tries().some((s) => s.status < 300), () => `the core to take the report (${tries().length} tries so far)`, 40_000);
    expect(tries().length).toBe(REFUSALS + 1);
    const me = `key:${(await keyHash(TEST_KEY)).slice(0, 16)}`;
    const got = await fetch(`${core.url}/v1/messages/${id}`, { headers: { authorization: `Bearer ${CORE_TOKEN}`, "gsh-principal": me } });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ messageId: id, path: "http", send: { status: "accepted", site: "dc3" } });
  }, 60_000);
});

describe("send reports without a durable queue", () => {
  it("the Deno edge says at start-up that reports are not durable", async () => {
    const core = await startFakeCore();
    const edge = await startDenoEdge(await edgeEnv({ dc3: "http://127.0.0.1:9", bos: "http://127.0.0.1:9" }, core.url));
    try {
      expect(edge.logs.some((l) => l.includes("send reports are not durable"))).toBe(true);
    } finally {
      await edge.stop();
      await core.close();
    }
  });
});

// Rate limits counted by each runtime's own store: in workerd by the Workers Rate Limiting binding (Miniflare's,
// as `[[ratelimits]]` in wrangler.toml), in Deno by Deno KV (atomic check + set). 10 sends a minute to one number:
// sequential sends stop at exactly 10, a concurrent burst never passes 10, and the simulator's ledger holds exactly
// the accepted ones.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RateLimitBinding } from "../../edge/limits/workers-counter.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { edgeEnv, GENESYS_ACCOUNT, startDenoEdge, startFakeCore, startWorkerdEdge, TEST_KEY, type FakeCore, type RunningEdge } from "./harness.ts";

const kvDir = mkdtempSync(join(tmpdir(), "edge-limits-kv-"));
afterAll(() => rmSync(kvDir, { recursive: true, force: true }));

/**
 * Each runtime's edge, and `elsewhere(to, n)`: n sends to `to` counted by someone else sharing the store (what
 * another isolate or process would count), which this edge must see.
 */
type Start = (env: Record<string, string>) => Promise<{ edge: RunningEdge; elsewhere(to: string, n: number): Promise<void>; stop(): Promise<void> }>;
const runtimes: Record<string, Start> = {
  workerd: async (env) => {
    const edge = await startWorkerdEdge(env, { ratelimits: { RATE_LIMITER_DESTINATION: { limit: 10, period: 60 } } });
    const binding = (await edge.mf.getBindings<{ RATE_LIMITER_DESTINATION: RateLimitBinding }>()).RATE_LIMITER_DESTINATION;
    return {
      edge,
      elsewhere: async (to, n) => { for (let i = 0; i < n; i++) await binding.limit({ key: `d:${to.slice(1)}` }); },
      stop: () => edge.stop(),
    };
  },
  deno: async (env) => {
    // A file, so a second process can share it.
    const kvEnv = { ...env, DENO_KV_PATH: join(kvDir, "limits.sqlite") };
    const [edge, other] = await Promise.all([startDenoEdge(kvEnv), startDenoEdge(kvEnv)]);
    return {
      edge,
      elsewhere: async (to, n) => {
        for (let i = 0; i < n; i++) {
          const r = await fetch(`${other.url}/v1/messages`, {
            method: "POST", headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json" },
            body: JSON.stringify({ to, sender: "12345", text: "hi" }),
          });
          expect(r.status).toBe(202);
        }
      },
      stop: async () => { await Promise.all([edge.stop(), other.stop()]); },
    };
  },
};

/** Waits when a minute's window is about to end, so a burst falls in one window. */
async function awayFromWindowEnd(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 8_000) await new Promise((r) => setTimeout(r, left + 100));
}

for (const [runtime, start] of Object.entries(runtimes)) {
  describe(`rate limits in ${runtime}`, () => {
    let sim: Simulator;
    let core: FakeCore;
    let edge: RunningEdge;
    let running: Awaited<ReturnType<Start>>;
    beforeAll(async () => {
      [sim, core] = await Promise.all([startSimulator({ controlPort: 0, httpPorts: { dc3: 0, bos: 0 }, account: GENESYS_ACCOUNT }), startFakeCore()]);
      running = await start(await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, core.url, { RATE_LIMIT_DESTINATION: "10/60" }));
      edge = running.edge;
    });
    afterAll(async () => {
      await running?.stop();
      await Promise.all([sim?.stop(), core?.close()]);
    });
    const send = async (to: string, id: string) => {
      const res = await fetch(`${edge.url}/v1/messages`, {
        method: "POST", headers: { authorization: `Bearer ${TEST_KEY}`, "content-type": "application/json", "idempotency-key": id },
        body: JSON.stringify({ to, sender: "12345", text: "hi" }),
      });
      return { status: res.status, headers: res.headers, body: await res.json() as Record<string, unknown> };
    };
    const inLedger = (to: string) => sim.ledger.mtAccepted.filter((e) => e.to === to.slice(1)).length;

    it("one number gets 10 sends a minute; the 11th is 429 with RateLimit headers and reaches no one", async () => {
      await awayFromWindowEnd();
      const to = "+12025550142";
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await send(to, `${runtime}-seq-${i}`)).status);
      expect(statuses).toEqual(Array(10).fill(202));
      const over = await send(to, `${runtime}-seq-over`);
      expect(over.status).toBe(429);
      expect(over.body).toMatchObject({ limit: "destination" });
      expect(over.headers.get("ratelimit-policy")).toBe('"destination";q=10;w=60');
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await send("+12025550143", `${runtime}-seq-other`)).status).toBe(202);
      expect(inLedger(to)).toBe(10);
    });

    it("counts made elsewhere (another isolate or process sharing the store) count here too", async () => {
      await awayFromWindowEnd();
      const to = "+12025550145";
      await running.elsewhere(to, 9);
      expect((await send(to, `${runtime}-shared-1`)).status).toBe(202);
      expect((await send(to, `${runtime}-shared-2`)).status).toBe(429);
    });

    it("a concurrent burst of 25 to one number: at most 10 accepted, and the ledger holds exactly those", async () => {
      await awayFromWindowEnd();
      const to = "+12025550144";
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => send(to, `${runtime}-burst-${i}`)));
      const ok = results.filter((r) => r.status === 202).length;
      expect(results.every((r) => r.status === 202 || r.status === 429)).toBe(true);
      expect(ok).toBeGreaterThan(0);
      expect(ok).toBeLessThanOrEqual(10);
      expect(inLedger(to)).toBe(ok);
    });
  });
}

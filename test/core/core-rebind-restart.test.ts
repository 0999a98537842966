/**
 * The rebind floor survives restarts: the real core process, against simulator nodes that refuse its bind
 * (a wrong password), killed with SIGKILL and started again in a loop faster than the floor. Each node's
 * last attempt is kept in the store, so the bind attempts the simulator's ledger sees stay more than the
 * floor apart across processes. Scaled down: the core's floor is 1.6 s and the ledger must show more than
 * 1.5 s, as production's 31 s default keeps a second's margin over Genesys' 30 s for network delays.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { TOKEN } from "./helpers/sim-core.ts";
import { spawnCore } from "./helpers/core-process.ts";

const CORE_FLOOR_MS = 1_600;
const REQUIRED_GAP_MS = 1_500;
const RESTARTS = 8;
const dir = mkdtempSync(join(tmpdir(), "gsh-rebind-"));
const configPath = join(dir, "core.json");
const procs: Subprocess[] = [];
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0 });
  writeFileSync(configPath, JSON.stringify({
    mode: "development",
    http: { host: "127.0.0.1", port: 0, token: TOKEN },
    store: { url: `sqlite://${join(dir, "core.sqlite")}` },
    webhook: { secret: "rebind-test-secret" },
    genesys: { login: "demo", password: "not-the-password" }, // every node answers ESME_RBINDFAIL
    topology: {
      sites: (["dc3", "bos"] as const).map((name) => ({ name, httpUrl: sim.sites[name].httpUrl })),
      smscNodes: sim.nodes.map((n) => ({ name: n.name, site: n.site, host: n.host, port: n.port, tls: false })),
    },
    binds: { rebindFloorMs: CORE_FLOOR_MS, rebindJitterMs: 0, enquireLinkMs: 0, responseTimeoutMs: 2_000, drainMs: 100 },
    log: { level: "info" }, // spawnCore waits for the "core listening" line
  }));
});

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("killed and restarted faster than the floor, the core's bind attempts at each node stay more than the floor apart", async () => {
  const t0 = Date.now();
  for (let i = 0; i < RESTARTS; i++) {
    const core = await spawnCore(configPath, procs);
    await Bun.sleep(150 + Math.floor(Math.random() * 250));
    core.proc.kill("SIGKILL");
    await core.proc.exited;
  }
  // The last one stays up for a few floors: it retries on its own after the floor too.
  const last = await spawnCore(configPath, procs);
  await Bun.sleep(3 * CORE_FLOOR_MS + 500);
  last.proc.kill("SIGKILL");
  await last.proc.exited;
  const elapsed = Date.now() - t0;
  // Non-vacuous: the restarts came faster than the floor, so a core starting with no memory would attempt sooner.
  expect(elapsed / (RESTARTS + 1)).toBeLessThan(CORE_FLOOR_MS);

  for (const n of sim.nodes) {
    const at = sim.ledger.bindAttempts.filter((a) => a.node === n.name).map((a) => a.at).sort((a, b) => a - b);
    expect(sim.ledger.bindAttempts.filter((a) => a.node === n.name).every((a) => a.outcome === "auth_failed")).toBe(true);
    expect(at.length).toBeGreaterThanOrEqual(Math.floor(elapsed / (CORE_FLOOR_MS + 400)));
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect({ node: n.name, tooClose: gaps.filter((g) => g <= REQUIRED_GAP_MS) }).toEqual({ node: n.name, tooClose: [] });
  }
}, 60_000);

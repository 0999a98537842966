/**
 * The core against the simulator plus one hostile SMSC (raw socket) as a fifth node: a node that keeps its
 * link alive but never answers a submit is taken out of routing after 3 submit timeouts in a row, within
 * about one response timeout, and is not tried again before the rebind floor; the MTs after that all go to
 * the simulator's binds.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ManualClock } from "../../contract/index.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { Cmd, hostilePeer, type HostilePeer } from "./helpers/raw-smsc.ts";
import { postMt, simConfig, startSimCore, until, type SimCore } from "./helpers/sim-core.ts";
import { backend } from "./helpers/stores.ts";

const db = backend("sqlite");
const bindClock = new ManualClock(0);
let sim: Simulator;
let hole: HostilePeer;
let core: SimCore;
const holeBind = () => core.gateway.binds.list().find((b) => b.node === "hole.dc3")!;

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0 });
  hole = await hostilePeer({}); // answers bind and enquire_link; swallows submit_sm
  const cfg = simConfig(sim, {
    storeUrl: db.url,
    binds: { responseTimeoutMs: 400, enquireLinkMs: 100 },
    extraNodes: [{ name: "hole.dc3", site: "dc3", host: "127.0.0.1", port: hole.port }],
  });
  core = await startSimCore(cfg, { bindClock, random: () => 0 });
  await until(() => core.gateway.binds.list().every((b) => b.state.kind === "bound"), 3_000, "five bound");
});
afterAll(async () => {
  await core?.stop();
  await hole?.close();
  await sim?.stop();
  await db.cleanup();
});

test("a black-holed submit path: out of routing after 3 submit timeouts, not retried before the floor, later MTs all accepted", async () => {
  const mt = (i: number) => ({ to: `+45123${String(i).padStart(5, "0")}`, sender: "12345", text: `hole ${i}` });
  const t0 = Date.now();
  const first = await Promise.all(Array.from({ length: 25 }, (_, i) => postMt(core, mt(i))));
  const unknown = first.filter((r) => r.outcome?.status === "unknown").length;
  expect(hole.conns[0]!.seen.filter(([c]) => c === Cmd.submit_sm).length).toBe(unknown); // every one it swallowed is `unknown`
  expect(unknown).toBeGreaterThan(0);
  await until(() => holeBind().state.kind === "backoff", 2_000, "the hole in backoff");
  expect(Date.now() - t0).toBeLessThan(2_000); // ~one response timeout (400 ms), not a dead-peer wait
  expect(holeBind().state).toMatchObject({ kind: "backoff", lastError: expect.stringContaining("submit_timeouts") });
  const later = await Promise.all(Array.from({ length: 40 }, (_, i) => postMt(core, mt(100 + i))));
  expect(later.map((r) => r.outcome?.status)).toEqual(Array(40).fill("accepted"));
  await bindClock.advance(30_000);
  await Bun.sleep(50);
  expect(hole.stats.binds).toBe(1); // the floor holds, exactly 30 s included (attempts MORE than the floor apart)
  await bindClock.advance(1);
  await until(() => hole.stats.binds === 2, 2_000, "rebound after the floor");
});

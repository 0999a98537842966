/**
 * Benchmark: the core's POST /v1/messages end to end (HTTP → router → SMPP submit → record in the store)
 * against the simulator's four SMSC nodes, wrk at 16 connections, on sqlite and on PostgreSQL. Each request
 * names a new client message id, so each one also takes and ends a claim (see MtRecorder.claim); each store
 * runs with claims on (the default) and off (`store.mtClaims: false`, for a store only one core uses), and
 * sqlite at its durable default (synchronous=FULL: an fsync per COMMIT) and at NORMAL, in the same run.
 * Usage: npx bun test/bench/core-mt-http.ts [sqlite,postgres] [rounds=5] (needs wrk: apt-get install wrk)
 */
import { startSimulator } from "../../sim/index.ts";
import { backend, type BackendName } from "../core/helpers/stores.ts";
import { boundNodes, simConfig, startSimCore, until } from "../core/helpers/sim-core.ts";
import { wrkMt as wrk } from "./wrk-mt.ts";

const kinds = (process.argv[2] ?? "sqlite,postgres").split(",") as BackendName[];
const ROUNDS = Number(process.argv[3] ?? 5);
const SECONDS = 4;

const variants = kinds.flatMap((kind) =>
  (kind === "sqlite" ? (["full", "normal"] as const) : ([undefined] as const)).flatMap((sync) => [true, false].map((mtClaims) => ({ kind, sync, mtClaims }))),
);

console.log(`core POST /v1/messages, wrk c=16, ${ROUNDS} runs of ${SECONDS} s after a warm-up (a new client id per request)\n`);
for (const { kind, sync, mtClaims } of variants) {
  const db = backend(kind);
  const sim = await startSimulator({ enquireLinkMs: 0 });
  const cfg = simConfig(sim, { storeUrl: db.url, ...(db.schema && { schema: db.schema }), binds: { window: 64 } });
  const core = await startSimCore({ ...cfg, store: { ...cfg.store, mtClaims, ...(sync && { sqliteSynchronous: sync }) } });
  try {
    await until(() => boundNodes(core).length === 4, 5_000, "four binds");
    await wrk(`${core.url}/v1/messages`, 3);
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) runs.push(await wrk(`${core.url}/v1/messages`, SECONDS));
    const best = runs.reduce((a, b) => (b.rps > a.rps ? b : a));
    const bad = runs.reduce((n, r) => n + r.non2xx, 0);
    const label = `${kind}${sync ? `/${sync.toUpperCase()}` : ""}`;
    console.log(`${label.padEnd(14)} claims ${mtClaims ? "on " : "off"}  ${runs.map((r) => r.rps.toFixed(0)).join(" / ")} req/s (best p50 ${best.p50})${bad ? `  ${bad} non-2xx!` : ""}`);
  } finally {
    await core.stop();
    await sim.stop();
    await db.cleanup();
  }
}
process.exit(0);

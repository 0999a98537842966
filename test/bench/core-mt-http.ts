/**
 * Benchmark: the core's POST /v1/messages end to end (HTTP → router → SMPP submit → record in the store)
 * against the simulator's four SMSC nodes, wrk at 16 connections, on sqlite and on PostgreSQL. Each request
 * names a new client message id, so each one also takes and ends a claim (see MtRecorder.claim); each store
 * runs with claims on (the default) and off (`store.mtClaims: false`, for a store only one core uses).
 * Usage: npx bun test/bench/core-mt-http.ts [sqlite,postgres] (needs wrk: apt-get install wrk)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../../sim/index.ts";
import { backend, type BackendName } from "../core/helpers/stores.ts";
import { AUTH, boundNodes, simConfig, startSimCore, until } from "../core/helpers/sim-core.ts";

const kinds = (process.argv[2] ?? "sqlite,postgres").split(",") as BackendName[];
const ROUNDS = 5;
const SECONDS = 4;
const tmp = mkdtempSync(join(tmpdir(), "gsh-mt-"));
const lua = join(tmp, "mt.lua");
writeFileSync(lua, `wrk.method = "POST"
${Object.entries(AUTH).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join("\n")}
local n = 0
local tid = "t"
function setup(thread) thread:set("tid", "m" .. tostring(math.random(1, 1000000000))) end
function request()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"to":"4512345678","sender":"12345","text":"bench","clientMessageId":"' .. tid .. "-" .. n .. '"}')
end`);

function wrk(url: string, seconds: number): Promise<{ rps: number; p50: string; non2xx: number }> {
  return new Promise((resolve) => {
    const c = spawn("wrk", ["-t2", "-c16", `-d${seconds}s`, "--latency", "-s", lua, url]);
    let o = "";
    c.stdout.on("data", (d: Buffer) => (o += d.toString()));
    c.on("exit", () => resolve({
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(o)?.[1] ?? NaN),
      p50: /\s50%\s+(\S+)/.exec(o)?.[1] ?? "?",
      non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(o)?.[1] ?? 0),
    }));
  });
}

console.log(`core POST /v1/messages, wrk c=16, ${ROUNDS} runs of ${SECONDS} s after a warm-up (a new client id per request)\n`);
for (const kind of kinds) for (const mtClaims of [true, false]) {
  const db = backend(kind);
  const sim = await startSimulator({ enquireLinkMs: 0 });
  const cfg = simConfig(sim, { storeUrl: db.url, ...(db.schema && { schema: db.schema }), binds: { window: 64 } });
  const core = await startSimCore({ ...cfg, store: { ...cfg.store, mtClaims } });
  try {
    await until(() => boundNodes(core).length === 4, 5_000, "four binds");
    await wrk(`${core.url}/v1/messages`, 3);
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) runs.push(await wrk(`${core.url}/v1/messages`, SECONDS));
    const best = runs.reduce((a, b) => (b.rps > a.rps ? b : a));
    const bad = runs.reduce((n, r) => n + r.non2xx, 0);
    console.log(`${kind.padEnd(9)} claims ${mtClaims ? "on " : "off"}  ${runs.map((r) => r.rps.toFixed(0)).join(" / ")} req/s (best p50 ${best.p50})${bad ? `  ${bad} non-2xx!` : ""}`);
  } finally {
    await core.stop();
    await sim.stop();
    await db.cleanup();
  }
}
process.exit(0);

// Edge benchmark (a script that prints figures, not a test): `npx node test/bench/edge-proxy.ts`
// (Node 22 strips the types; `npx bun test/bench/edge-proxy.ts` works too). Needs `wrk` (apt-get install -y wrk).
// On workerd (`workerd serve`, not wrangler dev) and on Deno, at 1 and 16 connections:
//   (a) straight to the simulator's receiver, (b) a bare Hono pass-through proxy, (c) our edge;
// requests/s and p50/p99 for each. Then, with the primary dead (a server that drops every connection,
// counting them): how many requests per isolate still touch it during one cool-down.
// BENCH_SECONDS (default 5) sets each run's length; BENCH_RUNTIMES=deno (or workerd) runs one runtime only.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { startSimulator } from "../sim/index.ts";
import { edgeEnv, ROOT, startFakeCore, TEST_KEY, workerBundle } from "../edge/harness.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ACCOUNT = { login: "bench", password: "bench-password" };
const tmp = mkdtempSync(join(tmpdir(), "edge-bench-"));
const children: ChildProcess[] = [];

if (spawnSync("wrk", ["--version"]).error) {
  console.error("wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu), then run this again.");
  process.exit(1);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try { await fetch(url); return; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  throw new Error(`${url} did not come up`);
}

/** One worker module served by plain `workerd serve` with text bindings. */
async function startWorkerd(name: string, code: string, bindings: Record<string, string>): Promise<string> {
  const port = await freePort();
  writeFileSync(join(tmp, `${name}.js`), code);
  const b = Object.entries(bindings).map(([k, v]) => `(name = ${JSON.stringify(k)}, text = ${JSON.stringify(v)})`).join(", ");
  writeFileSync(join(tmp, `${name}.capnp`), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w), (name = "net", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "${name}.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [ ${b} ],
  globalOutbound = "net",
);`);
  children.push(spawn(join(ROOT, "node_modules/.bin/workerd"), ["serve", join(tmp, `${name}.capnp`)], { stdio: "ignore" }));
  const url = `http://127.0.0.1:${port}`;
  await waitUp(url);
  return url;
}

async function startDeno(script: string, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  children.push(spawn(join(ROOT, "node_modules/.bin/deno"), ["run", "--allow-net", "--allow-env", script], {
    cwd: ROOT, stdio: "ignore", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env, EDGE_PORT: String(port) },
  }));
  const url = `http://127.0.0.1:${port}`;
  await waitUp(url);
  return url;
}

let runNo = 0;
interface Figures { rps: number; p50: number; p99: number; non2xx: number; requests: number }

/** wrk against url; every request carries a unique message id (lua), so each one is a real accepted MT. */
async function wrk(url: string, conns: number, seconds: number, body: string, headers: Record<string, string>): Promise<Figures> {
  const lua = join(tmp, `r${++runNo}.lua`);
  const hdrs = Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join("\n");
  writeFileSync(lua, `wrk.method = "POST"
${hdrs}
local n = 0
local tid = "t"
local body = ${JSON.stringify(body)}
function setup(thread) thread:set("tid", "r${runNo}x" .. tostring(math.random(1, 1000000000))) end
function request()
  n = n + 1
  return wrk.format(nil, nil, nil, (string.gsub(body, "__ID__", tid .. "-" .. n)))
end`);
  // Async: the simulator runs in this process, so its event loop must stay free while wrk runs.
  const child = spawn("wrk", [`-t${conns > 1 ? 2 : 1}`, `-c${conns}`, `-d${seconds}s`, "--latency", "-s", lua, url]);
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once("exit", r));
  const ms = (v: string, unit: string) => Number(v) * (unit === "us" ? 0.001 : unit === "s" ? 1000 : 1);
  const pct = (p: string) => { const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out); return m ? ms(m[1]!, m[2]!) : NaN; };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: pct("50"), p99: pct("99"),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
  };
}

const FORM = new URLSearchParams({ login: ACCOUNT.login, password: ACCOUNT.password, phone_number: "12025550100", sender: "12345", message: "hello", receipt: "FALSE" }).toString() + "&message_id=__ID__";
const FORM_H = { "content-type": "application/x-www-form-urlencoded" };
const JSON_BODY = JSON.stringify({ to: "+12025550100", sender: "12345", text: "hello", clientMessageId: "__ID__" });
const JSON_H = { "content-type": "application/json", authorization: `Bearer ${TEST_KEY}` };

const fmt = (f: Figures) => `${f.rps.toFixed(0).padStart(7)} req/s  p50 ${f.p50.toFixed(2).padStart(6)} ms  p99 ${f.p99.toFixed(2).padStart(6)} ms${f.non2xx ? `  (${f.non2xx} non-2xx!)` : ""}`;

async function main(): Promise<void> {
  const sim = await startSimulator({ account: ACCOUNT });
  const core = await startFakeCore();
  const deadHits: number[] = [];
  const dead = createNetServer((s) => { deadHits.push(Date.now()); s.destroy(); });
  await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
  const deadUrl = `http://127.0.0.1:${(dead.address() as { port: number }).port}/httpapi/receiver`;
  try {
    const base = { ATTEMPT_TIMEOUT_MS: "5000", DEADLINE_MS: "12000", BREAKER_COOLDOWN_MS: "30000", SHARED_REFRESH_MS: "1000" };
    const env = { ...(await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, core.url, base)), GENESYS_LOGIN: ACCOUNT.login, GENESYS_PASSWORD: ACCOUNT.password };
    const deadEnv = { ...env, GENESYS_SITES: `dc3=${deadUrl},bos=${sim.sites.bos.httpUrl}` };
    const passCode = (await build({
      entryPoints: [join(ROOT, "test/bench/edge-passthrough.ts")], bundle: true, format: "esm", platform: "neutral",
      mainFields: ["module", "main"], write: false, logLevel: "silent",
    })).outputFiles[0]!.text;
    const edgeCode = await workerBundle();

    const results: string[] = [];
    const row = (label: string, f: Figures) => { const l = `${label.padEnd(34)} ${fmt(f)}`; results.push(l); console.log(l); };
    console.log(`edge benchmark: ${SECONDS} s per run, wrk, ${process.env.BENCH_NOTE ?? "loopback"}\n`);
    for (const c of [1, 16]) row(`direct to simulator      c=${c}`, await wrk(sim.sites.dc3.httpUrl, c, SECONDS, FORM, FORM_H));

    const runtimes: [string, () => Promise<string>, () => Promise<string>, () => Promise<string>][] = [
      ["workerd",
        () => startWorkerd("pass", passCode, { TARGET: sim.sites.dc3.httpUrl }),
        () => startWorkerd("edge", edgeCode, env),
        () => startWorkerd("edge-dead", edgeCode, deadEnv)],
      ["deno",
        () => startDeno("test/bench/edge-passthrough.deno.ts", { TARGET: sim.sites.dc3.httpUrl }),
        () => startDeno("edge/deno.ts", env),
        () => startDeno("edge/deno.ts", deadEnv)],
    ];
    const touches: string[] = [];
    const only = process.env.BENCH_RUNTIMES?.split(",");
    for (const [rt, startPass, startEdge, startDead] of runtimes.filter(([rt]) => !only || only.includes(rt))) {
      const pass = await startPass();
      const edge = await startEdge();
      await wrk(pass, 16, 1, FORM, FORM_H); // warm-up (JIT, connection pools)
      await wrk(`${edge}/v1/messages`, 16, 1, JSON_BODY, JSON_H);
      for (const c of [1, 16]) {
        row(`${rt.padEnd(8)} bare Hono proxy  c=${c}`, await wrk(pass, c, SECONDS, FORM, FORM_H));
        row(`${rt.padEnd(8)} our edge         c=${c}`, await wrk(`${edge}/v1/messages`, c, SECONDS, JSON_BODY, JSON_H));
      }
      for (const c of [1, 16]) {
        const url = await startDead(); // a fresh isolate per run: its breakers start closed
        const before = deadHits.length;
        const f = await wrk(`${url}/v1/messages`, c, 3, JSON_BODY, JSON_H);
        const hits = deadHits.length - before;
        const line = `${rt.padEnd(8)} primary dead, c=${String(c).padEnd(2)}: ${hits} of ${f.requests} requests touched it in 3 s (cool-down 30 s); ${f.non2xx} non-2xx; ${fmt(f)}`;
        touches.push(line);
        console.log(line);
      }
    }
    console.log(`\nsummary\n${results.join("\n")}\n${touches.join("\n")}`);
  } finally {
    for (const c of children) c.kill("SIGTERM");
    dead.close();
    await Promise.all([sim.stop(), core.close()]);
  }
}

await main();

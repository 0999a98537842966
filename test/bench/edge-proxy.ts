// Edge benchmark (a script that prints figures, not a test): `npx node test/bench/edge-proxy.ts`
// (Node 22 strips the types; `npx bun test/bench/edge-proxy.ts` works too). Needs `wrk` (apt-get install -y wrk).
// On workerd (`workerd serve`, not wrangler dev) and on Deno, at 1 and 16 connections:
//   (a) straight to the simulator's receiver, (b) a bare Hono pass-through proxy, (c) our edge;
// all against the same simulator receiver, all driven by wrk with a Lua script (POST, a unique message id
// per request). Each round starts (b) and (c) afresh, warms them up and measures them one after the other,
// in reverse order every other round (b c, c b, ...), so neither a process's JIT luck nor a drift in the
// machine's load favours one side; each figure is the median of the rounds; c/b is the ratio of the medians.
// Then, with the primary dead (a server that drops every connection, counting them): how many requests
// per isolate still touch it during one cool-down, and when (before or after the first failure came back).
// Besides req/s and latency, each line gives the server process's CPU time per request (from /proc: all
// threads, user + system) and its busiest thread's: the cost side of the ratio. Both runtimes run the
// isolate's JS, the HTTP server and the fetch client on one thread, which at c=16 is the bottleneck (about
// 90% busy for (b) and (c) alike), so c/b follows the busiest-thread figures. They rise with the machine's
// load too (less batching per wake-up), so compare figures within one run, never across runs.
// Knobs: BENCH_SECONDS (default 3) each run's length, BENCH_ROUNDS (default 3) runs per configuration,
// BENCH_RUNTIMES=deno (or workerd) one runtime only, BENCH_CONNS (default 1,16) the connection counts,
// BENCH_DEAD=0 skips the dead-primary runs, BENCH_DENO_FLAGS extra `deno run` flags,
// BENCH_EDGE_DIRS=edge,edge-x compares copies of edge/ in the same interleaved runs (experiments by elimination),
// BENCH_AUTH=key,hs256,eddsa compares credentials on the same edge process in the same interleaved runs: the API
// key, a short-lived HS256 token and an EdDSA token (one token per run, reused as a browser reuses it).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { startSimulator } from "../../sim/index.ts";
import { exportJWK, generateKeyPair } from "jose";
import { mintEdgeToken } from "../../contract/edge-token.ts";
import { edgeEnv, ROOT, startFakeCore, TEST_KEY, TEST_TOKEN_SECRET, workerBundle } from "../edge/harness.ts";
import { median } from "./median.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNS = (process.env.BENCH_CONNS ?? "1,16").split(",").map(Number);
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

interface Proc { url: string; pid: number; stop(): Promise<void> }

/** CPU time (user + system, ms) each thread of the process has used so far; from /proc, so Linux only (empty elsewhere). */
function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
        out.set(tid, (Number(f[11]) + Number(f[12])) * 10); // utime, stime in clock ticks (USER_HZ = 100)
      } catch { /* the thread ended */ }
    }
  } catch { /* not Linux, or the process ended */ }
  return out;
}

/** Of two threadCpuMs snapshots: the whole process's CPU time between them, and its busiest thread's. */
function cpuBetween(a: Map<string, number>, b: Map<string, number>): { all: number; busiest: number } {
  let all = 0, busiest = 0;
  for (const [tid, ms] of b) {
    const d = ms - (a.get(tid) ?? 0);
    all += d;
    busiest = Math.max(busiest, d);
  }
  return b.size ? { all, busiest } : { all: NaN, busiest: NaN };
}

function track(child: ChildProcess, url: string): Proc {
  children.push(child);
  return {
    url, pid: child.pid!,
    stop: () => new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) return r();
      child.once("exit", () => r());
      child.kill("SIGTERM");
    }),
  };
}

/** The workerd binary: the test workspace's (miniflare's dependency), or a hoisted one. */
const WORKERD = [join(ROOT, "test/node_modules/.bin/workerd"), join(ROOT, "node_modules/.bin/workerd")].find((p) => existsSync(p)) ?? "workerd";

/** One worker module served by plain `workerd serve` with text bindings. */
async function startWorkerd(name: string, code: string, bindings: Record<string, string>): Promise<Proc> {
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
  const p = track(spawn(WORKERD, ["serve", join(tmp, `${name}.capnp`)], { stdio: "ignore" }), `http://127.0.0.1:${port}`);
  await waitUp(p.url);
  return p;
}

async function startDeno(script: string, env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  const flags = process.env.BENCH_DENO_FLAGS?.split(" ").filter(Boolean) ?? [];
  const p = track(spawn(join(ROOT, "node_modules/.bin/deno"), ["run", "--allow-net", "--allow-env", ...flags, script], {
    cwd: ROOT, stdio: "ignore", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env, EDGE_PORT: String(port) },
  }), `http://127.0.0.1:${port}`);
  await waitUp(p.url);
  return p;
}

let runNo = 0;
interface Figures { rps: number; p50: number; p99: number; non2xx: number; errors: number; requests: number; cpuUs: number; mainUs: number }

/** wrk against url; every request carries a unique message id (lua), so each one is a real accepted MT. */
async function wrk(url: string, conns: number, seconds: number, body: string, headers: Record<string, string>, pid?: number): Promise<Figures> {
  const cpu0 = pid ? threadCpuMs(pid) : new Map<string, number>();
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
  const cpu = pid ? cpuBetween(cpu0, threadCpuMs(pid)) : { all: NaN, busiest: NaN };
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const f: Figures = {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: pct("50"), p99: pct("99"),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    errors: errs ? errs.slice(1).reduce((s, x) => s + Number(x), 0) : 0,
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    cpuUs: NaN, mainUs: NaN,
  };
  return { ...f, cpuUs: (1000 * cpu.all) / f.requests, mainUs: (1000 * cpu.busiest) / f.requests };
}

/** Median of each figure over the runs (each figure on its own). */
function med(fs: Figures[]): Figures {
  const pick = (k: keyof Figures) => median(fs.map((f) => f[k]));
  return { rps: pick("rps"), p50: pick("p50"), p99: pick("p99"), non2xx: fs.reduce((s, f) => s + f.non2xx, 0), errors: fs.reduce((s, f) => s + f.errors, 0), requests: pick("requests"), cpuUs: pick("cpuUs"), mainUs: pick("mainUs") };
}

const FORM = new URLSearchParams({ login: ACCOUNT.login, password: ACCOUNT.password, phone_number: "12025550100", sender: "12345", message: "hello", receipt: "FALSE" }).toString() + "&message_id=__ID__";
const FORM_H = { "content-type": "application/x-www-form-urlencoded" };
const JSON_BODY = JSON.stringify({ to: "+12025550100", sender: "12345", text: "hello", clientMessageId: "__ID__" });
const JSON_H = { "content-type": "application/json", authorization: `Bearer ${TEST_KEY}` };

const fmt = (f: Figures) => `${f.rps.toFixed(0).padStart(7)} req/s  p50 ${f.p50.toFixed(3).padStart(6)} ms  p99 ${f.p99.toFixed(2).padStart(6)} ms${Number.isNaN(f.cpuUs) ? "" : `  cpu ${f.cpuUs.toFixed(0).padStart(4)} µs/req (busiest thread ${f.mainUs.toFixed(0).padStart(3)})`}${f.non2xx || f.errors ? `  (${f.non2xx} non-2xx, ${f.errors} socket errors!)` : ""}`;

async function main(): Promise<void> {
  const sim = await startSimulator({ account: ACCOUNT });
  const core = await startFakeCore();
  const deadHits: number[] = [];
  const dead = createNetServer((s) => { deadHits.push(performance.now()); s.destroy(); });
  await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
  const deadUrl = `http://127.0.0.1:${(dead.address() as { port: number }).port}/httpapi/receiver`;
  try {
    const base = { ATTEMPT_TIMEOUT_MS: "5000", DEADLINE_MS: "12000", BREAKER_COOLDOWN_MS: "30000", SHARED_REFRESH_MS: "1000", BODY_LIMIT_BYTES: String(1 << 20) };
    const ed = await generateKeyPair("EdDSA");
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(ed.publicKey)), kid: "bench-ed", alg: "EdDSA" }] });
    const tokenEnv = { EDGE_TOKEN_SECRET: TEST_TOKEN_SECRET, EDGE_TOKEN_JWKS: jwks };
    const env = { ...(await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, core.url, { ...base, ...tokenEnv })), GENESYS_LOGIN: ACCOUNT.login, GENESYS_PASSWORD: ACCOUNT.password };
    // The credentials to compare (BENCH_AUTH); each run mints its tokens afresh (an hour's life, the maximum).
    const auths = (process.env.BENCH_AUTH ?? "key").split(",");
    const credential = async (auth: string): Promise<string> => {
      if (auth === "key") return TEST_KEY;
      if (auth === "hs256") return mintEdgeToken({ alg: "HS256", secret: TEST_TOKEN_SECRET }, { sub: "bench-user", ttlSeconds: 3600 });
      if (auth === "eddsa") return mintEdgeToken({ alg: "EdDSA", privateKey: ed.privateKey, kid: "bench-ed" }, { sub: "bench-user", ttlSeconds: 3600 });
      throw new Error(`BENCH_AUTH: unknown credential ${auth}`);
    };
    // The shared health layer (Cache API; on Deno a cache on disk that outlives the process) is scoped by the
    // target URLs, so a query string unique to each run makes an edge that knows nothing yet.
    const benchId = Math.random().toString(36).slice(2, 8);
    const deadEnv = (scope: string) => ({ ...env, GENESYS_SITES: `dc3=${deadUrl}?bench=${benchId}-${scope},bos=${sim.sites.bos.httpUrl}` });
    const passCode = (await build({
      entryPoints: [join(ROOT, "test/bench/edge-passthrough.ts")], bundle: true, format: "esm", platform: "neutral",
      mainFields: ["module", "main"], write: false, logLevel: "silent",
    })).outputFiles[0]!.text;
    // Variants of the edge to compare in the same run (directories beside edge/ holding entry/worker.ts and entry/deno.ts);
    // default: edge/ alone. For experiments by elimination.
    const dirs = (process.env.BENCH_EDGE_DIRS ?? "edge").split(",");
    const bundles = await Promise.all(dirs.map((dir) => workerBundle(dir)));
    /** What is compared in one run: each edge directory with each credential. */
    const variants = dirs.flatMap((dir, d) => auths.map((auth) => ({ d, auth, label: [dirs.length > 1 ? dir : "", auths.length > 1 ? auth : ""].filter(Boolean).join(" ") })));
    const edgeCode = bundles[0]!;

    const results: string[] = [];
    const say = (l: string) => { results.push(l); console.log(l); };
    console.log(`edge benchmark: wrk, ${SECONDS} s per run, ${ROUNDS} interleaved runs per configuration (median), ${process.env.BENCH_NOTE ?? "loopback"}\n`);
    for (const c of CONNS) say(`direct to simulator     c=${String(c).padEnd(2)}  ${fmt(await wrk(sim.sites.dc3.httpUrl, c, SECONDS, FORM, FORM_H))}`);

    const runtimes: [string, () => Promise<Proc>, (i: number) => Promise<Proc>, (scope: string) => Promise<Proc>][] = [
      ["workerd",
        () => startWorkerd("pass", passCode, { TARGET: sim.sites.dc3.httpUrl }),
        (i) => startWorkerd(`edge${i}`, bundles[i]!, env),
        (scope) => startWorkerd("edge-dead", edgeCode, deadEnv(scope))],
      ["deno",
        () => startDeno("test/bench/edge-passthrough.deno.ts", { TARGET: sim.sites.dc3.httpUrl }),
        (i) => startDeno(`${dirs[i]}/entry/deno.ts`, env),
        (scope) => startDeno("edge/entry/deno.ts", deadEnv(scope))],
    ];
    const touches: string[] = [];
    const only = process.env.BENCH_RUNTIMES?.split(",");
    for (const [rt, startPass, startEdge, startDead] of runtimes.filter(([rt]) => !only || only.includes(rt))) {
      const name = (i: number) => (variants.length > 1 ? variants[i]!.label.padEnd(11) : "our edge   ");
      for (const c of CONNS) {
        const bs: Figures[] = [], cs: Figures[][] = variants.map(() => []);
        for (let r = 0; r < ROUNDS; r++) {
          // Fresh processes every round: a process's JIT and heap luck stays with it for its life (identical
          // code in two processes differs by several per cent), so only new ones let the median average it.
          const pass = await startPass();
          const edges: Proc[] = [];
          for (let i = 0; i < dirs.length; i++) edges.push(await startEdge(i));
          const headers = await Promise.all(variants.map(async (v) => ({ ...JSON_H, authorization: `Bearer ${await credential(v.auth)}` })));
          const b = () => wrk(pass.url, c, SECONDS, FORM, FORM_H, pass.pid);
          const e = (i: number) => wrk(`${edges[variants[i]!.d]!.url}/v1/messages`, c, SECONDS, JSON_BODY, headers[i]!, edges[variants[i]!.d]!.pid);
          // Warm-up (JIT, connection pools), every side.
          await wrk(pass.url, c, 1, FORM, FORM_H);
          for (let i = 0; i < variants.length; i++) await wrk(`${edges[variants[i]!.d]!.url}/v1/messages`, c, 1, JSON_BODY, headers[i]!);
          // Every other round in reverse order (b c, then c b), so a drift in the machine's load favours neither.
          const order = [-1, ...variants.map((_, i) => i)];
          if (r % 2) order.reverse();
          for (const i of order) {
            if (i < 0) bs.push(await b());
            else cs[i]!.push(await e(i));
          }
          await Promise.all([pass.stop(), ...edges.map((x) => x.stop())]);
          console.log(`  ${rt} c=${c} run ${r + 1}: (b) ${fmt(bs.at(-1)!)}${cs.map((x, i) => ` | (c) ${variants.length > 1 ? `${variants[i]!.label} ` : ""}${fmt(x.at(-1)!)}`).join("")}`);
        }
        const mb = med(bs);
        say(`${rt.padEnd(8)} (b) bare Hono proxy c=${String(c).padEnd(2)}  ${fmt(mb)}`);
        cs.forEach((x, i) => {
          const mc = med(x);
          say(`${rt.padEnd(8)} (c) ${name(i)}     c=${String(c).padEnd(2)}  ${fmt(mc)}   c/b ${(100 * mc.rps / mb.rps).toFixed(0)}%  p50 ${mc.p50 - mb.p50 >= 0 ? "+" : ""}${(mc.p50 - mb.p50).toFixed(3)} ms  cpu +${(mc.cpuUs - mb.cpuUs).toFixed(0)} µs/req (busiest thread +${(mc.mainUs - mb.mainUs).toFixed(0)})`);
        });
      }
      // A fresh isolate per run (its breakers start closed, its scope new); then one more at the highest
      // connection count in the scope of the run before it: what the shared layer saves a new isolate.
      const deadRuns = CONNS.map((c) => ({ c, scope: `${rt}-${c}`, label: "new isolate, new scope" }));
      deadRuns.push({ ...deadRuns.at(-1)!, label: "new isolate, scope of the run before (shared layer)" });
      for (const { c, scope, label } of process.env.BENCH_DEAD === "0" ? [] : deadRuns) {
        const d = await startDead(scope);
        const before = deadHits.length;
        const t0 = performance.now();
        const f = await wrk(`${d.url}/v1/messages`, c, 3, JSON_BODY, JSON_H);
        await d.stop();
        const hits = deadHits.slice(before);
        // Every hit within 50 ms of the first is a request that was already in flight when the first failure came back.
        const late = hits.filter((t) => t - hits[0]! > 50).length;
        const line = `${rt.padEnd(8)} primary dead, c=${String(c).padEnd(2)} ${label}: ${hits.length} of ${f.requests} requests touched it in 3 s (cool-down 30 s), ` +
          `${hits.length - late} within 50 ms of the first (in flight together), ${late} later; first at +${hits.length ? (hits[0]! - t0).toFixed(0) : "-"} ms; ${fmt(f)}`;
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

// Starts the edge in a real runtime for the cross-runtime suites: Deno (`deno run edge/entry/deno.ts` on a free
// port) or workerd (edge/entry/worker.ts bundled with esbuild, served by Miniflare's workerd), plus a small real
// HTTP server standing in for the core's POST /v1/events (the core is built separately; this stand-in
// stores what it gets and can be told to fail).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { toHex } from "../../contract/hex.ts";
import { sha256 } from "../../contract/digest.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "node_modules/.bin");

/** The test API key and its SHA-256 (what the edge is configured with). */
export const TEST_KEY = "test-key-1";
export const CALLBACK_SECRET = "cb-Secret-7Hq2xLm9Vt4Rk8Wn3Jd6Pz5Y";
/** The HS256 secret the token suites configure (EDGE_TOKEN_SECRET). */
export const TEST_TOKEN_SECRET = "tok-Secret-9Wd3Kp7Xm2Qv5Rn8Lb4Hj6T";
export const CORE_TOKEN = "core-Token-4Fb8Mx2Kq7Lw9Rt3Nv6Hs1D";
export const ALLOWED_ORIGIN = "https://app.example.com";
/** The Genesys account the edge is configured with (the simulator must be started with it). */
export const GENESYS_ACCOUNT = { login: "edge-test", password: "edge-test-password" };

export async function keyHash(key: string): Promise<string> {
  return toHex(await sha256(key));
}

/** Settings for an edge against the given receivers and core, with millisecond-scale timeouts. */
export async function edgeEnv(sites: { dc3: string; bos: string }, coreUrl: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    EDGE_ENV: "production",
    GENESYS_SITES: `dc3=${sites.dc3},bos=${sites.bos}`,
    GENESYS_LOGIN: GENESYS_ACCOUNT.login,
    GENESYS_PASSWORD: GENESYS_ACCOUNT.password,
    EDGE_API_KEY_HASHES: await keyHash(TEST_KEY),
    CALLBACK_SECRET,
    CORE_URL: coreUrl,
    CORE_TOKEN,
    CORS_ORIGINS: ALLOWED_ORIGIN,
    BODY_LIMIT_BYTES: "16384",
    ATTEMPT_TIMEOUT_MS: "1000",
    DEADLINE_MS: "4000",
    BREAKER_COOLDOWN_MS: "700",
    SHARED_REFRESH_MS: "100",
    ...extra,
  };
}

export interface RunningEdge {
  url: string;
  stop(): Promise<void>;
}

/** A Deno edge's process: whether it is still running and what it printed. */
export interface DenoEdge extends RunningEdge {
  running(): boolean;
  readonly logs: readonly string[];
}

/**
 * `deno run edge/entry/deno.ts` on a free port; resolves when it prints its port. `nofile`: run it under
 * `prlimit --nofile=N:N` (a lowered file limit, for the flood tests).
 */
export function startDenoEdge(env: Record<string, string>, opts: { nofile?: number } = {}): Promise<DenoEdge> {
  return new Promise((resolve, reject) => {
    // Deno KV (health layer, rate-limit counts) sits behind --unstable-kv; a KV file needs read/write access to it.
    const kvPath = env.DENO_KV_PATH;
    const flags = kvPath ? ["--unstable-kv", ...(kvPath === ":memory:" ? [] : [`--allow-read=${dirname(kvPath)}`, `--allow-write=${dirname(kvPath)}`])] : [];
    const deno = [join(BIN, "deno"), "run", "--allow-net", "--allow-env", ...flags, "edge/entry/deno.ts"];
    const argv = opts.nofile === undefined ? deno : ["prlimit", `--nofile=${opts.nofile}:${opts.nofile}`, ...deno];
    const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
      cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env, EDGE_PORT: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const logs: string[] = []; // what deno printed, for the start-up error messages
    let buf = "";
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`deno did not start:\n${logs.join("\n")}`)); }, 20_000);
    const stop = () => new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) return r();
      child.once("exit", () => r());
      child.kill("SIGTERM");
    });
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        logs.push(line);
        try {
          const j = JSON.parse(line) as { msg?: string; port?: number };
          if (j.msg === "listening") {
            clearTimeout(timer);
            resolve({ url: `http://127.0.0.1:${j.port}`, stop, logs, running: () => child.exitCode === null && child.signalCode === null });
          }
        } catch { /* not JSON */ }
      }
    });
    child.stderr!.on("data", (d: Buffer) => logs.push(d.toString()));
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`deno exited (${code}):\n${logs.join("\n")}`)); });
  });
}

const bundled = new Map<string, Promise<string>>();

/** `<dir>/entry/worker.ts` (a directory under the repo root, default edge/) as one ES module, the way wrangler would bundle it; built once per directory. */
export function workerBundle(dir = "edge"): Promise<string> {
  let bundle = bundled.get(dir);
  if (!bundle) {
    bundle = build({
      entryPoints: [join(ROOT, dir, "entry/worker.ts")], bundle: true, format: "esm", platform: "neutral", target: "es2022",
      mainFields: ["module", "main"], conditions: ["workerd", "worker", "browser"], write: false, logLevel: "silent",
    }).then((r) => r.outputFiles[0]!.text);
    bundled.set(dir, bundle);
  }
  return bundle;
}

/**
 * edge/entry/worker.ts in real workerd (Miniflare), with an optional KV namespace bound as HEALTH_KV,
 * optional Rate Limiting bindings (name → limit per period, as `[[ratelimits]]` in wrangler.toml) and an optional
 * SEND_REPORTS queue produced and consumed by the same Worker, with a dead-letter queue (as in wrangler.toml).
 */
export async function startWorkerdEdge(
  env: Record<string, string>, opts: { kv?: boolean; ratelimits?: Record<string, { limit: number; period: 10 | 60 }>; reportQueue?: { maxRetries: number } } = {},
): Promise<RunningEdge & { mf: Miniflare }> {
  type Binding = { type: "text"; value: string } | { type: "kv" } | { type: "queue"; name: string } | { type: "rate-limit"; namespace: string; simple: { limit: number; period: 10 | 60 } };
  const bindings: Record<string, Binding> = {};
  for (const [k, v] of Object.entries(env)) bindings[k] = { type: "text", value: v };
  if (opts.kv) bindings.HEALTH_KV = { type: "kv" };
  if (opts.reportQueue) bindings.SEND_REPORTS = { type: "queue", name: "send-reports" };
  Object.entries(opts.ratelimits ?? {}).forEach(([name, simple], i) => { bindings[name] = { type: "rate-limit", namespace: String(1001 + i), simple }; });
  const mf = new Miniflare({
    host: "127.0.0.1", port: 0,
    workers: [{ config: {
      name: "edge", compatibilityDate: "2025-09-01",
      manifest: { mainModule: "worker.js", modules: { "worker.js": { type: "esm", contents: await workerBundle() } } },
      env: bindings,
      ...(opts.reportQueue && {
        triggers: [{ type: "queue", name: "send-reports", maxBatchSize: 20, maxBatchTimeout: 0, maxRetries: opts.reportQueue.maxRetries, deadLetterQueue: "send-reports-dlq" }],
      }),
    } }],
  } as ConstructorParameters<typeof Miniflare>[0]);
  const url = await mf.ready;
  return { url: url.origin, mf, stop: () => mf.dispose() };
}

/** The core's POST /v1/events, stood in by a real HTTP server: stores events, or fails on demand. */
export interface FakeCore {
  url: string;
  events: { auth: string | undefined; body: unknown }[];
  /** HTTP status to answer (default 201); "hang" never answers. */
  mode: number | "hang";
  /** PUT /v1/messages/:id (the edge's send records), each try as it came, with the status it was answered. */
  sends: { id: string; auth: string | undefined; principal: string | undefined; body: any; status: number }[];
  /** Statuses to answer the next PUTs with, in turn (then 204). */
  sendAnswers: number[];
  /** GET /v1/messages/:id: each request, answered 200 with the last recorded (2xx-answered) send of its principal, else 404. */
  reads: { id: string; auth: string | undefined; principal: string | undefined }[];
  /** GET /v1/events/stream: each request (answered with one SSE event naming its principal, then the end). */
  streams: { url: string; auth: string | undefined; principal: string | undefined; lastEventId: string | undefined }[];
  close(): Promise<void>;
}

export async function startFakeCore(): Promise<FakeCore> {
  const core: Partial<FakeCore> & Pick<FakeCore, "events" | "mode" | "sends" | "sendAnswers" | "reads" | "streams"> = { events: [], mode: 201, sends: [], sendAnswers: [], reads: [], streams: [] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (core.mode === "hang") return;
      if (req.method === "GET" && (req.url ?? "").startsWith("/v1/events/stream")) {
        const principal = req.headers["gsh-principal"] as string | undefined;
        core.streams.push({ url: req.url!, auth: req.headers.authorization, principal, lastEventId: req.headers["last-event-id"] as string | undefined });
        res.writeHead(200, { "content-type": "text/event-stream" }).end(`retry: 2000\n\nid: 7\nevent: message.status\ndata: {"for":"${principal}"}\n\n`);
        return;
      }
      const message = /^\/v1\/messages\/([^/?]+)$/.exec(req.url ?? "");
      if (message) {
        const id = decodeURIComponent(message[1]!);
        const principal = req.headers["gsh-principal"] as string | undefined;
        if (req.method === "PUT") {
          const status = core.sendAnswers.shift() ?? 204;
          core.sends.push({ id, auth: req.headers.authorization, principal, body: JSON.parse(Buffer.concat(chunks).toString("utf8")), status });
          res.writeHead(status).end();
          return;
        }
        core.reads.push({ id, auth: req.headers.authorization, principal });
        const rec = core.sends.findLast((s) => s.id === id && s.principal === principal && s.status < 300);
        if (!rec) { res.writeHead(404, { "content-type": "application/problem+json" }).end(JSON.stringify({ type: "/problems/not-found", status: 404 })); return; }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ messageId: id, path: rec.body.path, send: rec.body.send, receipts: [] }));
        return;
      }
      if (req.method !== "POST" || req.url !== "/v1/events") { res.writeHead(404).end(); return; }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id?: string };
      if (core.mode >= 200 && core.mode < 300) {
        const duplicate = core.events.some((e) => (e.body as { id?: string }).id === body.id);
        core.events.push({ auth: req.headers.authorization, body });
        res.writeHead(core.mode, { "content-type": "application/json" }).end(JSON.stringify({ id: body.id, duplicate }));
      } else res.writeHead(core.mode, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  core.url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  core.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return core as FakeCore;
}

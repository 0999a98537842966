/**
 * Benchmark: deliver_sm → committed → deliver_sm_resp per second through the real core inbound path
 * (startGateway: four transceiver binds, decode, MO content dedup, inbox group commit, then the resp),
 * against a fast raw-socket SMSC in another process (smpp-blaster.ts) that keeps WINDOW deliver_sm
 * unanswered per bind and measures. On sqlite (temp file, WAL) and PostgreSQL (GSH_TEST_PG_URL, a throwaway
 * schema), MOs, correlated receipts and (worst case) receipts parked for an unknown MT. Reference rows, same stream, acknowledgement only (nothing stored): our
 * core/smpp Session, and the npm `smpp` package's session on Bun and on Node (what a user would pick).
 * Issue 4 targets: > 20,000/s sqlite, > 5,000/s PostgreSQL.
 * Usage: [ONLY=sqlite:mo,…] npx bun test/bench/inbound.ts [perBindSqlite=25000] [perBindPg=10000] [window=256]
 */
import { parseCoreConfig } from "../../core/config.ts";
import { startGateway } from "../../core/gateway.ts";
import { createLogger } from "../../core/platform/log.ts";
import { Session } from "../../core/smpp/session.ts";
import { backend, type BackendName } from "../core/helpers/stores.ts";

const BINDS = 4;
const perBindSqlite = Number(process.argv[2] ?? 25_000);
const perBindPg = Number(process.argv[3] ?? 10_000);
const WINDOW = Number(process.argv[4] ?? 256);
const here = new URL(".", import.meta.url).pathname;

interface Result { acked: number; nacked: number; seconds: number }
interface Row extends Result { path: string; store: string; kind: string }

/** Starts the blaster; `result` resolves with its JSON line once all BINDS sessions are answered. */
async function startBlaster(count: number, kind: "mo" | "receipt", extra: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, `${here}smpp-blaster.ts`], {
    stdout: "pipe",
    stderr: "inherit",
    env: { ...process.env, COUNT: String(count), WINDOW: String(WINDOW), SESSIONS: String(BINDS), KIND: kind, ...extra },
  });
  const reader = proc.stdout.getReader();
  const dec = new TextDecoder();
  let text = "";
  const line = async (re: RegExp) => {
    while (!re.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error("blaster exited");
      text += dec.decode(value);
    }
    return re.exec(text)!;
  };
  const port = Number((await line(/port (\d+)/))[1]);
  return { port, result: line(/\{[^\n]*"seconds"[^\n]*\}/).then((m) => JSON.parse(m[0]) as Result), go: () => proc.kill("SIGUSR2"), stop: () => proc.kill() };
}

function config(port: number, store: { url: string; schema?: string }) {
  return parseCoreConfig({
    mode: "development",
    http: { port: 0, token: "bench-token-123" },
    store,
    webhook: { secret: "bench-secret" }, // no URL: pull only, no outbox rows
    genesys: { login: "bench", password: "pw" },
    topology: {
      sites: [{ name: "dc3", httpUrl: "http://127.0.0.1:1/x" }, { name: "bos", httpUrl: "http://127.0.0.1:1/y" }],
      smscNodes: ["smc1.dc3", "smc2.dc3", "smc1.bos", "smc2.bos"].map((name) => ({ name, site: name.slice(5), host: "127.0.0.1", port, tls: false })),
    },
    binds: { window: 64, enquireLinkMs: 0 },
    log: { level: "error" },
  });
}

/**
 * kind "receipt": receipts whose MT the store knows (the usual case: correlated, group-committed);
 * "parked": receipts for unknown SMSC ids (each parked in its own transaction: the worst case).
 */
async function gatewayRun(storeName: BackendName, kind: "mo" | "receipt" | "parked", count: number): Promise<Row> {
  const db = backend(storeName); // a temp sqlite file or a throwaway PostgreSQL schema; the gateway opens its own store
  const store = db.schema === undefined ? { url: db.url } : { url: db.url, schema: db.schema };
  const run = (0x100000 + Math.floor(Math.random() * 0xeffff)).toString(16); // hex: the SMSC ids stay hex
  const blaster = await startBlaster(count, kind === "mo" ? "mo" : "receipt", { HOLD: "1", RUN: run });
  const gw = await startGateway(config(blaster.port, store), { log: createLogger({ level: "error" }) });
  try {
    while (gw.binds.list().filter((b) => b.state.kind === "bound").length < BINDS) await Bun.sleep(10);
    if (kind === "receipt") {
      // The MTs these receipts belong to, recorded as the router would (500 segments per record to be quick).
      const ids = Array.from({ length: BINDS }, (_, c) => Array.from({ length: count }, (_, n) => `${run}${c.toString(16)}${n.toString(16).padStart(8, "0")}`)).flat();
      for (let i = 0; i < ids.length; i += 500) {
        await gw.correlation.recordSubmit({ clientMessageId: `bench-${i}`, segments: ids.slice(i, i + 500).map((smscMessageId) => ({ smscMessageId, node: "smc1.dc3", site: "dc3" })) });
      }
    }
    blaster.go();
    const r = await blaster.result;
    return { path: "core gateway (decode, dedup, group commit)", store: storeName, kind, ...r };
  } finally {
    await gw.stop();
    blaster.stop();
    await db.cleanup();
  }
}

async function sessionRun(count: number): Promise<Row> {
  const blaster = await startBlaster(count, "mo");
  const sessions = Array.from({ length: BINDS }, () => new Session({ endpoint: { host: "127.0.0.1", port: blaster.port }, systemId: "bench", password: "pw", enquireLinkIdleMs: 0, onDeliver: () => 0 }));
  await Promise.all(sessions.map((s) => s.bind()));
  const r = await blaster.result;
  for (const s of sessions) s.close();
  blaster.stop();
  return { path: "core/smpp Session, ack only", store: "none", kind: "mo", ...r };
}

async function pkgRun(runtime: "bun" | "node", count: number): Promise<Row> {
  const blaster = await startBlaster(count, "mo");
  // `node` from PATH: under npx/npm that is node_modules/.bin (Node 22).
  const proc = Bun.spawn([runtime === "bun" ? process.execPath : "node", `${here}smpp-pkg-deliver.mjs`, String(blaster.port), String(BINDS)], { stdout: "inherit", stderr: "inherit" });
  const r = await blaster.result;
  proc.kill();
  blaster.stop();
  const version = runtime === "bun" ? `bun ${Bun.version}` : `node ${Bun.spawnSync(["node", "--version"]).stdout.toString().trim()}`;
  return { path: `smpp (npm) 0.5.1 on ${version}, ack only`, store: "none", kind: "mo", ...r };
}

const rows: Row[] = [];
/** ONLY=sqlite:mo,postgres:parked,session,pkg runs just those rows (quick re-measures); default: all. */
const only = process.env.ONLY?.split(",");
const want = (name: string) => !only || only.includes(name);
console.log(`deliver_sm → deliver_sm_resp, ${BINDS} binds, SMSC window ${WINDOW} per bind (bun ${Bun.version}, ${navigator.hardwareConcurrency} cpus)`);
rows.push(await gatewayRun("sqlite", "mo", Math.min(2_000, perBindSqlite))); // warm-up (JIT), not printed
rows.length = 0;
for (const [storeName, perBind] of [["sqlite", perBindSqlite], ["postgres", perBindPg]] as const) {
  if (want(`${storeName}:mo`)) rows.push(await gatewayRun(storeName, "mo", perBind));
  if (want(`${storeName}:receipt`)) rows.push(await gatewayRun(storeName, "receipt", perBind));
  if (want(`${storeName}:parked`)) rows.push(await gatewayRun(storeName, "parked", Math.round(perBind / 5)));
}
if (want("session")) rows.push(await sessionRun(perBindSqlite));
if (want("pkg")) {
  rows.push(await pkgRun("bun", perBindSqlite));
  rows.push(await pkgRun("node", perBindSqlite));
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(["path".padEnd(48), "store".padEnd(9), "kind".padEnd(8), "msgs".padStart(8), "nacked".padStart(7), "seconds".padStart(8), "per second".padStart(11)].join(" "));
for (const r of rows) {
  console.log([r.path.padEnd(48), r.store.padEnd(9), r.kind.padEnd(8), fmt(r.acked + r.nacked).padStart(8), String(r.nacked).padStart(7), r.seconds.toFixed(2).padStart(8), fmt((r.acked + r.nacked) / r.seconds).padStart(11)].join(" "));
}
process.exit(0);

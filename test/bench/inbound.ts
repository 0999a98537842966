/**
 * Benchmark: deliver_sm → committed → deliver_sm_resp per second through the real core inbound path
 * (startGateway: four transceiver binds, decode, MO content dedup, inbox group commit, then the resp),
 * against a fast raw-socket SMSC in another process (smpp-blaster.ts) that keeps WINDOW deliver_sm
 * unanswered per bind and measures. On sqlite (temp file, WAL) and PostgreSQL (GSH_TEST_PG_URL, a throwaway
 * schema), MOs, correlated receipts and (worst case) receipts parked for an unknown MT. Reference rows, same stream, acknowledgement only (nothing stored): our
 * core/smpp Session, and the npm `smpp` package's session on Bun and on Node (what a user would pick).
 * Issue 4 targets: > 20,000/s sqlite, > 5,000/s PostgreSQL.
 * The sqlite MO row runs at the default synchronous=FULL and again at NORMAL (sqlite-normal:mo).
 * Usage: [ONLY=sqlite:mo,…] npx bun test/bench/inbound.ts [perBindSqlite=25000] [perBindPg=10000] [window=256]
 */
import { Session } from "../../core/smpp/session.ts";
import { BINDS, WINDOW, gatewayRun, setWindow, startBlaster, type Row } from "./inbound-run.ts";

const perBindSqlite = Number(process.argv[2] ?? 25_000);
const perBindPg = Number(process.argv[3] ?? 10_000);
setWindow(Number(process.argv[4] ?? 256));
const here = new URL(".", import.meta.url).pathname;

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
  // The durable default (FULL: an fsync per COMMIT) against what main ran before it (NORMAL), same run.
  if (storeName === "sqlite" && want("sqlite-normal:mo")) rows.push({ ...(await gatewayRun(storeName, "mo", perBind, { sqliteSynchronous: "normal" })), store: "sqlite/NORMAL" });
  if (want(`${storeName}:receipt`)) rows.push(await gatewayRun(storeName, "receipt", perBind));
  if (want(`${storeName}:parked`)) rows.push(await gatewayRun(storeName, "parked", Math.round(perBind / 5)));
}
if (want("session")) rows.push(await sessionRun(perBindSqlite));
if (want("pkg")) {
  rows.push(await pkgRun("bun", perBindSqlite));
  rows.push(await pkgRun("node", perBindSqlite));
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(["path".padEnd(48), "store".padEnd(13), "kind".padEnd(8), "msgs".padStart(8), "nacked".padStart(7), "seconds".padStart(8), "per second".padStart(11)].join(" "));
for (const r of rows) {
  console.log([r.path.padEnd(48), r.store.padEnd(13), r.kind.padEnd(8), fmt(r.acked + r.nacked).padStart(8), String(r.nacked).padStart(7), r.seconds.toFixed(2).padStart(8), fmt((r.acked + r.nacked) / r.seconds).padStart(11)].join(" "));
}
process.exit(0);

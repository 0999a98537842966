/**
 * Benchmark: the core at field scale. Per store (sqlite, PostgreSQL), in one run: the inbound paths (MOs,
 * correlated receipts; inbound-run.ts) and the MT path (POST /v1/messages through the simulator; wrk) on an
 * empty store, then on a store holding 10M rows (5M MT segments + 5M events, generated in SQL, older than the
 * retention), side by side; then the MO rate while the retention sweep (core/store/retention.ts: 5,000-row
 * batches, paced) prunes those rows. And the alternative a user would write for the receipt lookup (main's
 * `… WHERE smsc_form IN (…) ORDER BY created_at DESC LIMIT 1`) against the store's, at 10M rows.
 * Usage: npx bun test/bench/field-scale.ts [sqlite,postgres] [perBindSqlite=15000] [perBindPg=8000]
 * (run under flock /tmp/bench.lock; needs wrk)
 */
import { smscMessageIdForms, systemClock } from "../../contract/index.ts";
import { openDb, type Db } from "../../core/store/db.ts";
import { Retention } from "../../core/store/retention.ts";
import { startSimulator } from "../../sim/index.ts";
import { backend, type Backend, type BackendName } from "../core/helpers/stores.ts";
import { boundNodes, simConfig, startSimCore, until } from "../core/helpers/sim-core.ts";
import { bulkRows } from "../core/helpers/store-fill.ts";
import { gatewayRun, type Row } from "./inbound-run.ts";
import { wrkMt } from "./wrk-mt.ts";

const kinds = (process.argv[2] ?? "sqlite,postgres").split(",") as BackendName[];
const perBind = { sqlite: Number(process.argv[3] ?? 15_000), postgres: Number(process.argv[4] ?? 8_000) };
/** Rows of each kind in the full store (HALF=… for a quick try). */
const HALF = Number(process.env.HALF ?? 5_000_000);
const DAY = 86_400_000;
const RETENTION_MS = 30 * DAY;
const PRUNE_BATCH = 5_000;

const rate = (r: Row) => (r.acked + r.nacked) / r.seconds;
/** Two runs of an inbound path on `b` (a shared machine: the better one). */
const inbound = async (name: BackendName, kind: "mo" | "receipt", b: Backend) => [await gatewayRun(name, kind, perBind[name], { on: b }), await gatewayRun(name, kind, perBind[name], { on: b })];
const best = (rs: Row[]) => Math.max(...rs.map(rate));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const dbOf = (b: Backend): Promise<Db> => openDb(b.url, b.schema ? { schema: b.schema } : {});

/**
 * 10M rows, all made 40 to 60 days ago (so the retention sweep may prune every one). PostgreSQL: autovacuum
 * held off during the fill, so the receipt lookups are first compared as planned without statistics.
 */
async function fill(b: Backend): Promise<number> {
  const t0 = performance.now();
  await b.open({ outbox: false }); // migrated
  await onDb(b, async (db) => {
    const from = Date.now() - 60 * DAY;
    await db.write(async (tx) => {
      if (db.dialect === "postgres") for (const t of ["mt_segments", "events"]) await tx.unsafe(`ALTER TABLE ${t} SET (autovacuum_enabled = false)`);
      for (const stmt of bulkRows(db.dialect, { mtSegments: HALF, events: HALF, from, stepMs: Math.floor((20 * DAY) / HALF) })) await tx.unsafe(stmt);
    });
  });
  return (performance.now() - t0) / 1000;
}

/**
 * The steady state of a store that grew over 30 days: PostgreSQL vacuumed and analyzed (autovacuum on again),
 * sqlite checkpointed. Answers the seconds it took.
 */
async function settle(b: Backend): Promise<number> {
  const t0 = performance.now();
  await onDb(b, async (db) => {
    if (db.dialect === "postgres") {
      for (const t of ["mt_segments", "events"]) await db.read.unsafe(`ALTER TABLE ${t} RESET (autovacuum_enabled)`);
      await db.read.unsafe("VACUUM ANALYZE");
    } else await db.write((tx) => tx.unsafe("SELECT 1")); // the checkpointer thread runs after each write
  });
  return (performance.now() - t0) / 1000;
}

async function onDb<T>(b: Backend, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await dbOf(b);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** The MT path: best of 3 wrk runs of 4 s after a 2 s warm-up, on the store `b`. */
async function mtRun(b: Backend): Promise<number> {
  const sim = await startSimulator({ enquireLinkMs: 0 });
  const core = await startSimCore(simConfig(sim, { storeUrl: b.url, ...(b.schema && { schema: b.schema }), binds: { window: 64 } }));
  try {
    await until(() => boundNodes(core).length === 4, 5_000, "four binds");
    await wrkMt(`${core.url}/v1/messages`, 2);
    let best = 0;
    for (let i = 0; i < 3; i++) best = Math.max(best, (await wrkMt(`${core.url}/v1/messages`, 4)).rps);
    return best;
  } finally {
    await core.stop();
    await sim.stop();
  }
}

/**
 * Receipt lookups per second at 10M rows, the store's query and main's ORDER BY … LIMIT 1 taking turns, each
 * on ids of its own (no warm cache for the second); at most 2,000 each or 10 s of either.
 */
async function lookups(b: Backend): Promise<{ ours: number; orderBy: number; done: number }> {
  const store = await b.open({ outbox: false });
  const formsOf = () => smscMessageIdForms(String(1 + Math.floor(Math.random() * HALF)));
  return onDb(b, async (db) => {
    const spent = { ours: 0, orderBy: 0 };
    let done = 0;
    while (done < 2_000 && spent.ours < 10_000 && spent.orderBy < 10_000) {
      let t0 = performance.now();
      await store.findClientMessageId(formsOf());
      spent.ours += performance.now() - t0;
      const forms = formsOf();
      t0 = performance.now();
      await db.read`SELECT client_message_id FROM mt_segments WHERE smsc_form IN ${db.read(forms)} ORDER BY created_at DESC LIMIT 1`;
      spent.orderBy += performance.now() - t0;
      done++;
    }
    return { ours: (1000 * done) / spent.ours, orderBy: (1000 * done) / spent.orderBy, done };
  });
}

/**
 * The MO rate while the retention sweep (core/store/retention.ts, paced at its default share) prunes everything
 * older than the retention on another handle on the store; the sweep is stopped when the MOs end. `share` 1:
 * unpaced, batch after batch (what the sweep did before it was paced).
 */
async function moWhilePruning(name: BackendName, b: Backend, share?: number): Promise<{ mo: Row; pruned: number; seconds: number; finished: boolean }> {
  const store = await b.open({ outbox: false });
  const retention = new Retention({ store, clock: systemClock, retentionMs: RETENTION_MS, batch: PRUNE_BATCH, ...(share !== undefined && { share }) });
  let pruned = 0;
  const t0 = performance.now();
  let pruneEnd: number | undefined;
  const pruning = retention.sweep().then((n) => {
    pruned = n.events + n.mtRecords;
    pruneEnd = performance.now();
  });
  await Bun.sleep(500); // the sweep under way first
  const mo = await gatewayRun(name, "mo", perBind[name], { on: b });
  const moEnd = performance.now();
  retention.stop();
  await pruning;
  return { mo, pruned, seconds: ((pruneEnd ?? performance.now()) - t0) / 1000, finished: pruneEnd !== undefined && pruneEnd < moEnd };
}

console.log(`field scale: inbound (4 binds) and MT (wrk c=16) at 0 and at 10M stored rows (bun ${Bun.version}, ${navigator.hardwareConcurrency} cpus)\n`);
await gatewayRun("sqlite", "mo", 2_000); // warm-up (JIT), not printed
for (const name of kinds) {
  const empty = backend(name);
  const full = backend(name);
  try {
    const at0 = { mo: best(await inbound(name, "mo", empty)), receipt: best(await inbound(name, "receipt", empty)), mt: await mtRun(empty) };
    const fillSeconds = await fill(full);
    const lookCold = await lookups(full); // PostgreSQL without statistics yet
    const settleSeconds = await settle(full);
    const look = await lookups(full);
    const at10 = { mo: best(await inbound(name, "mo", full)), receipt: best(await inbound(name, "receipt", full)), mt: await mtRun(full) };
    const unpaced = await moWhilePruning(name, full, 1);
    const prune = await moWhilePruning(name, full);
    console.log(`${name}: ${fmt(2 * HALF)} rows generated in ${fillSeconds.toFixed(0)} s, then ${name === "postgres" ? "VACUUM ANALYZE" : "a checkpoint"} in ${settleSeconds.toFixed(0)} s`);
    console.log(`  ${"path".padEnd(34)} ${"empty".padStart(10)} ${"10M rows".padStart(10)} ${"ratio".padStart(7)}`);
    for (const [k, label] of [["mo", "MO deliver_sm/s"], ["receipt", "receipt deliver_sm/s (correlated)"], ["mt", "MT POST /v1/messages req/s"]] as const) {
      console.log(`  ${label.padEnd(34)} ${fmt(at0[k]).padStart(10)} ${fmt(at10[k]).padStart(10)} ${`${Math.round((100 * at10[k]) / at0[k])}%`.padStart(7)}`);
    }
    console.log(`  receipts / MOs (same run): ${Math.round((100 * at0.receipt) / at0.mo)}% empty, ${Math.round((100 * at10.receipt) / at10.mo)}% at 10M`);
    for (const [label, p] of [["paced (default share 0.2)", prune], ["unpaced (share 1)", unpaced]] as const) {
      console.log(`  MO/s while the retention sweep prunes, ${label}: ${fmt(rate(p.mo))} (${Math.round((100 * rate(p.mo)) / at10.mo)}% of 10M), sweep ${fmt(p.pruned)} rows in ${p.seconds.toFixed(0)} s (${fmt(p.pruned / p.seconds)}/s${p.finished ? ", all pruned before the MOs ended" : ", stopped when the MOs ended"})`);
    }
    for (const [when, l] of [["before statistics", lookCold], ["after them", look]] as const)
      console.log(`  receipt lookup at 10M ${when}: store's query ${fmt(l.ours)}/s; a user's ORDER BY created_at DESC LIMIT 1 (main's) ${l.orderBy.toFixed(1)}/s (${l.done} each)`);
    console.log("");
  } finally {
    await empty.cleanup();
    await full.cleanup();
  }
}
process.exit(0);

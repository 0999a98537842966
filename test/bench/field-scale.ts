/**
 * Benchmark: the core at field scale. Per store (sqlite, PostgreSQL), in one run: the inbound paths (MOs,
 * correlated receipts; inbound-run.ts) and the MT path (POST /v1/messages through the simulator; wrk) on an
 * empty store and on a store holding 10M rows (5M MT segments + 5M events, generated in SQL, older than the
 * retention), in ROUNDS rounds, the two stores taking turns (empty first in odd rounds, full first in even ones),
 * so drift in the machine's load falls on both; each path prints the median rate of each store and the ratio's
 * median and spread over the rounds. Then the MO rate while the gateway's own retention sweep
 * (core/store/retention.ts, paced by the hot paths' load) prunes those rows, against MOs on the same store
 * without it, taking turns likewise; and once unpaced (share 1: batch after batch), the sweep a user would
 * write. And the alternative a user would write for the receipt lookup (main's
 * `… WHERE smsc_form IN (…) ORDER BY created_at DESC LIMIT 1`) against the store's, at 10M rows.
 * Usage: ROUNDS=3 npx bun test/bench/field-scale.ts [sqlite,postgres] [perBindSqlite=15000] [perBindPg=8000]
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
import type { Gateway } from "../../core/gateway.ts";
import { wrkMt } from "./wrk-mt.ts";
import { median } from "./median.ts";

const kinds = (process.argv[2] ?? "sqlite,postgres").split(",") as BackendName[];
const perBind = { sqlite: Number(process.argv[3] ?? 15_000), postgres: Number(process.argv[4] ?? 8_000) };
/** Rows of each kind in the full store (HALF=… for a quick try). */
const HALF = Number(process.env.HALF ?? 5_000_000);
const DAY = 86_400_000;
const RETENTION_MS = 30 * DAY;
/** The MO bursts with and without the sweep are this many times the others' (long enough for its pace to show). */
const SWEEP_BURST = Number(process.env.SWEEP_BURST ?? 4);
/** The sweep's settings, when not Retention's defaults (to try others): SWEEP_BATCH, SWEEP_SHARE, SWEEP_BUSY_SHARE. */
const SWEEP = Object.fromEntries(
  ([["batch", "SWEEP_BATCH"], ["share", "SWEEP_SHARE"], ["busyShare", "SWEEP_BUSY_SHARE"]] as const).flatMap(([k, env]) => (process.env[env] ? [[k, Number(process.env[env])]] : [])),
) as { batch?: number; share?: number; busyShare?: number };
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** What to measure (default all): any of mo, receipt, mt, sweep. */
const ONLY = new Set((process.env.ONLY ?? "mo,receipt,mt,sweep").split(","));

const rate = (r: Row) => (r.acked + r.nacked) / r.seconds;
const pct = (x: number) => `${Math.round(100 * x)}%`;
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
      await db.read.unsafe("CHECKPOINT"); // the fill's dirty pages written now, not during the first measured round
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

/** The MT path: one wrk run of 4 s after a 1 s warm-up, on the store `b`; answers req/s and the non-2xx count. */
async function mtRun(b: Backend): Promise<{ rps: number; non2xx: number }> {
  const sim = await startSimulator({ enquireLinkMs: 0 });
  const core = await startSimCore(simConfig(sim, { storeUrl: b.url, ...(b.schema && { schema: b.schema }), binds: { window: 64 } }));
  try {
    await until(() => boundNodes(core).length === 4, 5_000, "four binds");
    await wrkMt(`${core.url}/v1/messages`, 1);
    const r = await wrkMt(`${core.url}/v1/messages`, 4);
    return { rps: r.rps, non2xx: r.non2xx };
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
 * One MO burst on `b`, with the gateway's own retention sweep pruning everything older than the retention
 * during it (paced as in production, or at `share` 1: unpaced) or, with `sweep` undefined, without one.
 */
async function moRun(name: BackendName, b: Backend, sweep?: { share?: number }): Promise<{ mo: number; pruned: number }> {
  let pruned = 0;
  const alongside = sweep && ((gw: Gateway) => {
    const retention = new Retention({
      store: gw.store, clock: systemClock, retentionMs: RETENTION_MS, ...SWEEP,
      ...(sweep.share !== undefined && { share: sweep.share, busyShare: sweep.share }),
    });
    const pruning = retention.sweep().then((n) => void (pruned = n.events + n.mtRecords));
    return async () => {
      retention.stop();
      await pruning;
    };
  });
  const r = await gatewayRun(name, "mo", SWEEP_BURST * perBind[name], { on: b, ...(alongside && { alongside }) });
  return { mo: rate(r), pruned };
}

type PathName = "mo" | "receipt" | "mt";
const PATHS = ([["mo", "MO deliver_sm/s"], ["receipt", "receipt deliver_sm/s (correlated)"], ["mt", "MT POST /v1/messages req/s"]] as const).filter(([p]) => ONLY.has(p));

async function pathRun(name: BackendName, path: PathName, b: Backend): Promise<number> {
  if (path !== "mt") return rate(await gatewayRun(name, path, perBind[name], { on: b }));
  const r = await mtRun(b);
  if (r.non2xx > 0) console.log(`  (MT run: ${r.non2xx} answers were not 2xx)`);
  return r.rps;
}

/** `a` then `b` in odd rounds, `b` then `a` in even ones. */
async function turns<T>(round: number, a: () => Promise<T>, b: () => Promise<T>): Promise<[T, T]> {
  if (round % 2 === 1) {
    const x = await a();
    return [x, await b()];
  }
  const y = await b();
  return [await a(), y];
}

console.log(`field scale: inbound (4 binds) and MT (wrk c=16) at 0 and at ${fmt(2 * HALF)} stored rows, ${ROUNDS} rounds taking turns (bun ${Bun.version}, ${navigator.hardwareConcurrency} cpus)\n`);
await gatewayRun("sqlite", "mo", 2_000); // warm-up (JIT), not printed
for (const name of kinds) {
  const empty = backend(name);
  const full = backend(name);
  try {
    const fillSeconds = await fill(full);
    const lookCold = await lookups(full); // PostgreSQL without statistics yet
    const settleSeconds = await settle(full);
    const look = await lookups(full);
    const rates = Object.fromEntries(PATHS.map(([p]) => [p, { empty: [] as number[], full: [] as number[] }])) as Partial<Record<PathName, { empty: number[]; full: number[] }>>;
    const sweep = { without: [] as number[], paced: [] as number[], pruned: [] as number[] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [path] of PATHS) {
        const [e, f] = await turns(round, () => pathRun(name, path, empty), () => pathRun(name, path, full));
        rates[path]!.empty.push(e);
        rates[path]!.full.push(f);
      }
      if (!ONLY.has("sweep")) continue;
      const [without, paced] = await turns(round, () => moRun(name, full), () => moRun(name, full, {}));
      sweep.without.push(without.mo);
      sweep.paced.push(paced.mo);
      sweep.pruned.push(paced.pruned);
    }
    const unpaced = ONLY.has("sweep") ? await moRun(name, full, { share: 1 }) : undefined;
    console.log(`${name}: ${fmt(2 * HALF)} rows generated in ${fillSeconds.toFixed(0)} s, then ${name === "postgres" ? "VACUUM ANALYZE + CHECKPOINT" : "a checkpoint"} in ${settleSeconds.toFixed(0)} s`);
    const rows = `${+((2 * HALF) / 1e6).toFixed(1)}M rows`;
    console.log(`  ${"path (median of the rounds)".padEnd(34)} ${"empty".padStart(10)} ${rows.padStart(10)} ${"ratio".padStart(7)}  ratio by round`);
    for (const [k, label] of PATHS) {
      const r = rates[k]!;
      const byRound = r.full.map((f, i) => f / r.empty[i]!);
      console.log(`  ${label.padEnd(34)} ${fmt(median(r.empty)).padStart(10)} ${fmt(median(r.full)).padStart(10)} ${pct(median(byRound)).padStart(7)}  ${byRound.map(pct).join(" ")}`);
    }
    const { receipt, mo } = rates;
    if (receipt && mo) console.log(`  receipts / MOs at ${rows}, by round: ${receipt.full.map((x, i) => pct(x / mo.full[i]!)).join(" ")}`);
    const during = sweep.paced.map((x, i) => x / sweep.without[i]!);
    if (unpaced) console.log(`  MO/s while the gateway's retention sweep prunes (paced by load${Object.keys(SWEEP).length ? `: ${JSON.stringify(SWEEP)}` : ", as by default"}): ${fmt(median(sweep.paced))} against ${fmt(median(sweep.without))} without it: ${pct(median(during))} (by round ${during.map(pct).join(" ")}), ${sweep.pruned.map(fmt).join(" / ")} rows pruned during the bursts`);
    if (unpaced) console.log(`  the same unpaced (share 1, batch after batch): ${fmt(unpaced.mo)} MO/s, ${pct(unpaced.mo / median(sweep.without))} of the median without; ${fmt(unpaced.pruned)} rows pruned during the burst`);
    for (const [when, l] of [["before statistics", lookCold], ["after them", look]] as const)
      console.log(`  receipt lookup at ${fmt(2 * HALF)} rows ${when}: store's query ${fmt(l.ours)}/s; a user's ORDER BY created_at DESC LIMIT 1 (main's) ${l.orderBy.toFixed(1)}/s (${l.done} each)`);
    console.log("");
  } finally {
    await empty.cleanup();
    await full.cleanup();
  }
}
process.exit(0);

/**
 * The one place the two SQL dialects differ. `openDb(url)` gives a `Db`: committed reads plus serialized
 * write transactions: over bun:sqlite for `sqlite://` (./sqlite.ts gives it the same tagged-template queries)
 * and over Bun.SQL for `postgres://`.
 *
 * Why two sqlite connections: on one connection a plain query issued while a transaction is open runs inside
 * it (a reader would see rows that may still roll back; a stray write would roll back with it). The sqlite Db
 * therefore writes only through one connection, one transaction at a time (our own queue), and reads through
 * a second, query-only connection, which WAL keeps on the last committed snapshot.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { liteSql, sharedWriteQueue, transactions, type WriteJob } from "./sqlite.ts";
import { startCheckpointer } from "./sqlite-checkpoint.ts";
import type { Logger } from "../platform/log.ts";

export type Dialect = "sqlite" | "postgres";

/** A Bun.SQL handle (a transaction or the pool), or on sqlite its look-alike (./sqlite.ts); tagged-template queries. */
export type Sql = SQL;

export interface Db {
  readonly dialect: Dialect;
  /** Committed data only. */
  readonly read: Sql;
  /** Runs `fn` in one write transaction (serialized on sqlite); resolves after COMMIT, rejects after ROLLBACK. */
  write<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** PostgreSQL schema to use (created if missing); lets parallel test runs or tenants share a database. */
  readonly schema?: string;
  /** PostgreSQL pool size. */
  readonly max?: number;
  /**
   * sqlite's fsync policy: `full` (default) syncs the WAL at every COMMIT, so a transaction acknowledged to an
   * SMSC survives an OS crash or power loss; `normal` syncs only at checkpoints (a process crash loses nothing,
   * an OS crash or power loss can lose the last commits).
   */
  readonly sqliteSynchronous?: "full" | "normal";
  /** The sqlite writer's page cache, MiB (PRAGMA cache_size); 8 by default. */
  readonly sqliteCacheMiB?: number;
  /** Where opening says what it found wrong but could work around (PostgreSQL sessions without PLANNER_SETTINGS). */
  readonly log?: Pick<Logger, "warn">;
}

/**
 * The sqlite writer's page cache, MiB, by default. 32 MiB (the previous default) held the dedup_key index of a
 * few hundred thousand events, but under the memory benchmark's load (test/bench/core-memory.ts) it cost
 * ~25 MiB of peak RSS and bought no measured throughput. The reader keeps sqlite's default (2 MiB): every
 * commit of another connection empties its cache anyway.
 */
const SQLITE_WRITER_CACHE_MIB = 8;

/** Most writes coalesced into one sqlite transaction (each is often a group commit of up to 1,000 items itself). */
const SQLITE_MAX_WRITES = 64;

/** Advisory lock classes (PostgreSQL): appends to `events`, and correlation by SMSC id form. */
const LOCK_APPEND = 41;
const LOCK_FORM = 42;
const LOCK_MO_GROUP = 43;

export function dialectOf(url: string): Dialect {
  if (/^sqlite:/i.test(url)) return "sqlite";
  if (/^postgres(ql)?:/i.test(url)) return "postgres";
  throw new Error(`store url must start with sqlite:// or postgres:// (got '${url.replace(/\/\/[^@/]*@/, "//***@").slice(0, 40)}')`);
}

/** Opens the database behind a store URL. */
export async function openDb(url: string, opts: OpenDbOptions = {}): Promise<Db> {
  return dialectOf(url) === "sqlite" ? openSqlite(url, opts.sqliteSynchronous ?? "full", opts.sqliteCacheMiB ?? SQLITE_WRITER_CACHE_MIB) : openPostgres(url, opts);
}

async function openSqlite(url: string, synchronous: "full" | "normal", cacheMiB: number): Promise<Db> {
  const path = url.replace(/^sqlite:\/\//i, "");
  const memory = path === ":memory:" || path === "";
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const file = memory ? ":memory:" : resolve(path);
  const writer = new Database(file, { create: true });
  // WAL: readers never block the writer. FULL (the default) fsyncs the WAL at every COMMIT: durable before
  // acknowledged, across an OS crash or power loss too; NORMAL only across a process crash. A larger page cache keeps the dedup_key
  // index (random keys: every insert touches another leaf) in memory. Checkpoints run on a worker thread
  // (startCheckpointer); the writer's own, at 20,000 pages (~80 MiB of WAL), is only a backstop.
  // journal_size_limit trims the WAL file back after a checkpoint.
  for (const p of ["journal_mode = WAL", "busy_timeout = 5000", `synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`, "foreign_keys = ON",
    `cache_size = ${-cacheMiB * 1024}`, "wal_autocheckpoint = 20000", "journal_size_limit = 67108864"]) writer.run(`PRAGMA ${p}`);
  const reader = new Database(file, { create: true });
  for (const p of ["busy_timeout = 5000", "query_only = ON"]) reader.run(`PRAGMA ${p}`);
  const runBatch = transactions(writer, liteSql(writer));
  const queue = sharedWriteQueue(file);
  const checkpointer = memory ? undefined : startCheckpointer(file);
  let closed = false;
  // Writes asked for in one go (before the next microtask) share a transaction. No turn of the event loop is
  // waited for to gather more: each MO batch's deliver_sm_resp paid for it (11-15k MOs/s against 19-21k).
  const pending: WriteJob[] = [];
  let draining: Promise<void> | undefined;
  const drain = async () => {
    for (;;) {
      const batch = pending.splice(0, SQLITE_MAX_WRITES);
      if (batch.length === 0) {
        draining = undefined;
        return;
      }
      await queue.run(() => runBatch(batch));
      checkpointer?.poke();
    }
  };
  return {
    dialect: "sqlite",
    read: liteSql(reader) as unknown as Sql,
    write<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(new Error("store closed"));
      return new Promise<T>((resolve, reject) => {
        pending.push({ fn: (t) => fn(t as unknown as Sql), resolve: resolve as (r: unknown) => void, reject });
        draining ??= Promise.resolve().then(drain);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      while (draining) await draining;
      queue.release();
      await checkpointer?.stop();
      reader.close();
      writer.close();
    },
  };
}

// enable_seqscan off, for this store's sessions only: every hot statement is served by an index on its key
// (test/core/store-plans.test.ts), and a table scan is never worth it at field scale. PostgreSQL would otherwise
// plan from its statistics: a table analyzed while empty, or a generic plan cached while the tables were small,
// walks the whole table on every MT once it grows, until the next ANALYZE (never, with autovacuum off or
// behind). A statement with no index to use (the outbox backlog count) still scans, at a cost now above every
// JIT threshold: jit off, or each call would be compiled (30-70 ms for a 3-row outbox instead of 0.3 ms).
// A pooler in transaction mode (PgBouncer) refuses or drops startup parameters: then they must be set on the
// role, and opening the store checks that they hold (plannerSettingsMissing).
export const PLANNER_SETTINGS = { enable_seqscan: "off", jit: "off" } as const;

/** The PLANNER_SETTINGS a session of `sql` does not run with. */
export async function plannerSettingsMissing(sql: Sql): Promise<string[]> {
  const rows = (await sql`SELECT name, setting FROM pg_settings WHERE name IN ${sql(Object.keys(PLANNER_SETTINGS))}`) as { name: string; setting: string }[];
  const current = new Map(rows.map((r) => [r.name, r.setting]));
  return Object.entries(PLANNER_SETTINGS).filter(([name, value]) => current.get(name) !== value).map(([name]) => name);
}

async function openPostgres(url: string, opts: OpenDbOptions): Promise<Db> {
  const schema = opts.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name '${schema}'`);
  if (schema) {
    // IF NOT EXISTS is not safe against a concurrent create (two cores starting at once fail with a unique
    // violation on pg_namespace): serialise it, as the migrations are, under an advisory lock.
    const boot = new SQL(url, { max: 1 });
    await boot.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(40, 1)`;
      await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    });
    await boot.close();
  }
  const sql = new SQL({ url, max: opts.max ?? 10, connection: { ...PLANNER_SETTINGS, ...(schema && { search_path: schema }) } });
  const missing = await plannerSettingsMissing(sql);
  if (missing.length > 0) {
    opts.log?.warn("PostgreSQL sessions run without the store's planner settings (a pooler dropped them?): set them on the role, see docs/core.md", { missing });
  }
  return {
    dialect: "postgres",
    read: sql,
    write: <T>(fn: (tx: Sql) => Promise<T>) => sql.begin((tx) => fn(tx as unknown as Sql)) as Promise<T>,
    close: () => sql.close(),
  };
}

/**
 * Makes event appends commit in cursor order (PostgreSQL): without it a reader at cursor 102 could miss 101,
 * committed a moment later by another transaction. sqlite has one writer, so nothing to do.
 */
export async function lockAppend(tx: Sql, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") await tx`SELECT pg_advisory_xact_lock(${LOCK_APPEND}, 0)`;
}

/**
 * Serializes correlation on these SMSC id forms (PostgreSQL), so a receipt being parked and its submit being
 * recorded at the same moment in two transactions cannot both miss each other. Sorted by key: no deadlocks.
 */
export async function lockForms(tx: Sql, dialect: Dialect, forms: readonly string[]): Promise<void> {
  if (dialect !== "postgres" || forms.length === 0) return;
  // One round trip for a whole batch; in the order of the lock keys themselves, so two transactions whose
  // forms' hashes collide still take them in the same order.
  await tx`SELECT pg_advisory_xact_lock(${LOCK_FORM}, h) FROM
             (SELECT DISTINCT hashtext(f) AS h FROM unnest(${[...forms]}::text[]) AS u(f) ORDER BY h) AS s`;
}

/**
 * Serializes work on one concatenated-MO group (PostgreSQL), so two cores each storing a part of the same group
 * cannot both miss the other's part, nor both assemble it. sqlite's single writer already serializes.
 */
export async function lockMoGroup(tx: Sql, dialect: Dialect, groupKey: string): Promise<void> {
  if (dialect === "postgres") await tx`SELECT pg_advisory_xact_lock(${LOCK_MO_GROUP}, hashtext(${groupKey}))`;
}

/** Claims due outbox rows for `owner`: SKIP LOCKED on PostgreSQL; on sqlite the single writer is the lock. */
export function claimDue(tx: Sql, dialect: Dialect, owner: string, now: number, until: number, limit: number) {
  return dialect === "postgres"
    ? tx`UPDATE outbox SET lease_owner = ${owner}, lease_until = ${until}
         WHERE cursor IN (SELECT cursor FROM outbox
           WHERE dead_at IS NULL AND next_at <= ${now} AND (lease_until IS NULL OR lease_until <= ${now})
           ORDER BY next_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
         RETURNING cursor, attempts`
    : tx`UPDATE outbox SET lease_owner = ${owner}, lease_until = ${until}
         WHERE cursor IN (SELECT cursor FROM outbox
           WHERE dead_at IS NULL AND next_at <= ${now} AND (lease_until IS NULL OR lease_until <= ${now})
           ORDER BY next_at LIMIT ${limit})
         RETURNING cursor, attempts`;
}

/** Drops a PostgreSQL schema (tests). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name '${schema}'`);
  const sql = new SQL(url, { max: 1 });
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await sql.close();
}

/**
 * The one place the two SQL dialects differ. `openDb(url)` gives a `Db`: committed reads plus serialized
 * write transactions, over Bun.SQL for both `sqlite://` and `postgres://`.
 *
 * Why two sqlite connections: Bun.SQL's sqlite adapter is a single connection, so a plain query issued while
 * a transaction is open runs inside it (a reader would see rows that may still roll back; a stray write would
 * roll back with it). The sqlite Db therefore writes only through one connection, one transaction at a time
 * (our own queue), and reads through a second connection, which WAL keeps on the last committed snapshot.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { SQL } from "bun";

export type Dialect = "sqlite" | "postgres";

/** A Bun.SQL handle (a transaction or the pool); tagged-template queries. */
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
}

/** Advisory lock classes (PostgreSQL): appends to `events`, and correlation by SMSC id form. */
const LOCK_APPEND = 41;
const LOCK_FORM = 42;

export function dialectOf(url: string): Dialect {
  if (/^sqlite:/i.test(url)) return "sqlite";
  if (/^postgres(ql)?:/i.test(url)) return "postgres";
  throw new Error(`store url must start with sqlite:// or postgres:// (got '${url.replace(/\/\/[^@/]*@/, "//***@").slice(0, 40)}')`);
}

/** Opens the database behind a store URL. */
export async function openDb(url: string, opts: OpenDbOptions = {}): Promise<Db> {
  return dialectOf(url) === "sqlite" ? openSqlite(url) : openPostgres(url, opts);
}

async function openSqlite(url: string): Promise<Db> {
  const path = url.replace(/^sqlite:\/\//i, "");
  if (path !== ":memory:" && path !== "") mkdirSync(dirname(path), { recursive: true });
  const writer = new SQL(url);
  // WAL: readers never block the writer; NORMAL sync is durable across a process crash (an OS crash can lose
  // the last commits, as with any WAL at NORMAL; set FULL for that).
  await writer`PRAGMA journal_mode = WAL`;
  await writer`PRAGMA busy_timeout = 5000`;
  await writer`PRAGMA synchronous = NORMAL`;
  await writer`PRAGMA foreign_keys = ON`;
  const reader = new SQL(url);
  await reader`PRAGMA busy_timeout = 5000`;
  let tail: Promise<unknown> = Promise.resolve();
  return {
    dialect: "sqlite",
    read: reader,
    write<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const run = tail.then(() => writer.begin((tx) => fn(tx as unknown as Sql)) as Promise<T>);
      tail = run.catch(() => undefined);
      return run;
    },
    async close() {
      await tail;
      await reader.close();
      await writer.close();
    },
  };
}

async function openPostgres(url: string, opts: OpenDbOptions): Promise<Db> {
  const schema = opts.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name '${schema}'`);
  if (schema) {
    const boot = new SQL(url, { max: 1 });
    await boot.unsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await boot.close();
  }
  const sql = new SQL({ url, max: opts.max ?? 10, ...(schema && { connection: { search_path: schema } }) });
  await sql`SELECT 1`;
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
 * recorded at the same moment in two transactions cannot both miss each other. Sorted: no deadlocks.
 */
export async function lockForms(tx: Sql, dialect: Dialect, forms: readonly string[]): Promise<void> {
  if (dialect !== "postgres") return;
  for (const f of [...new Set(forms)].sort()) await tx`SELECT pg_advisory_xact_lock(${LOCK_FORM}, hashtext(${f}))`;
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

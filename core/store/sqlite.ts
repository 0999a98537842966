/**
 * The sqlite side of `Db` on bun:sqlite, with the small part of Bun.SQL's tagged-template API the store
 * modules use, so every query stays one text for both dialects:
 *   sql`… ${value} …`            a bound parameter
 *   sql`… IN ${sql(values)}`     (?, ?, …) for an array of scalars
 *   sql`INSERT INTO t ${sql(rows)}`  (cols) VALUES (…), (…) for one row object or an array of them
 *   sql.unsafe(text)             text as is (migrations)
 * Why not Bun.SQL's own sqlite adapter: bun:sqlite with cached prepared statements did the same inserts
 * ~1.5× faster (test/bench/inbound.ts; the inbound path spent most of its CPU in the adapter and sqlite).
 * bun:sqlite is synchronous: a query runs when it is called and its promise is already settled.
 */
import { Database, type Statement } from "bun:sqlite";

type Row = Record<string, unknown>;

/** A `sql(x)` argument, expanded where it stands in the template. */
class Helper {
  constructor(readonly value: unknown) {}
}

/** What a query of the shim looks like to the store modules (cast to Bun.SQL's type by the caller). */
export interface LiteSql {
  (strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]>;
  (value: unknown): Helper;
  unsafe(text: string): Promise<Row[]>;
}

/** Distinct statement shapes kept per template (multi-row inserts vary by row count): bounded. */
const MAX_SHAPES = 32;

const isRowObject = (v: unknown): v is Row => typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);

/** One bindable value: undefined is NULL, as in Bun.SQL. */
function bindable(v: unknown): unknown {
  return v === undefined ? null : v;
}

/** The tagged-template front of one bun:sqlite connection, with a prepared-statement cache per call site. */
export function liteSql(db: Database): LiteSql {
  const cache = new WeakMap<TemplateStringsArray, Map<string, Statement>>();

  /** The statement's text for these values: `?` for a value, expanded lists and rows for `sql(x)`. */
  function text(strings: TemplateStringsArray, values: unknown[]): string {
    let t = strings[0]!;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(v instanceof Helper)) t += "?";
      else if (Array.isArray(v.value) && !v.value.some(isRowObject)) t += `(${v.value.map(() => "?").join(", ")})`;
      else {
        const rows = (Array.isArray(v.value) ? v.value : [v.value]) as Row[];
        const cols = Object.keys(rows[0]!);
        const tuple = `(${cols.map(() => "?").join(", ")})`;
        t += `(${cols.map((c) => `"${c.replaceAll('"', '""')}"`).join(", ")}) VALUES ${rows.map(() => tuple).join(", ")}`;
      }
      t += strings[i + 1]!;
    }
    return t;
  }

  /** The bound values and the statement's shape (what makes two calls of one template different statements). */
  function bind(values: unknown[]): { shape: string; params: unknown[] } {
    let shape = "";
    const params: unknown[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(v instanceof Helper)) params.push(bindable(v));
      else if (Array.isArray(v.value) && !v.value.some(isRowObject)) {
        if (v.value.length === 0) throw new Error("sql(list): empty list");
        shape += `${i}l${v.value.length};`;
        for (const x of v.value) params.push(bindable(x));
      } else {
        const rows = (Array.isArray(v.value) ? v.value : [v.value]) as Row[];
        if (rows.length === 0 || !rows.every(isRowObject)) throw new Error("sql(rows): rows must be objects");
        const cols = Object.keys(rows[0]!);
        shape += `${i}r${rows.length}:${cols.join(",")};`;
        for (const r of rows) for (const c of cols) params.push(bindable(r[c]));
      }
    }
    return { shape, params };
  }

  function statement(strings: TemplateStringsArray, shape: string, values: unknown[]): Statement {
    let shapes = cache.get(strings);
    if (!shapes) cache.set(strings, (shapes = new Map()));
    let stmt = shapes.get(shape);
    if (!stmt) {
      if (shapes.size >= MAX_SHAPES) {
        for (const s of shapes.values()) s.finalize();
        shapes.clear();
      }
      stmt = db.prepare(text(strings, values));
      shapes.set(shape, stmt);
    }
    return stmt;
  }

  const sql = ((first: unknown, ...values: unknown[]) => {
    if (!(Array.isArray(first) && "raw" in first)) return new Helper(first);
    try {
      const strings = first as TemplateStringsArray;
      const { shape, params } = bind(values);
      return Promise.resolve(statement(strings, shape, values).all(...(params as never[])) as Row[]);
    } catch (e) {
      return Promise.reject(e);
    }
  }) as LiteSql;
  sql.unsafe = (text: string) => {
    try {
      db.run(text);
      return Promise.resolve([]);
    } catch (e) {
      return Promise.reject(e);
    }
  };
  return sql;
}

/**
 * Writes of every Db of this process on one sqlite file go through one queue: bun:sqlite waits for a busy lock
 * synchronously, so two connections of one process must never hold the write lock at once (the second would
 * block the event loop the first needs to finish). Other processes are covered by busy_timeout.
 */
const writeQueues = new Map<string, { tail: Promise<unknown>; users: number }>();

export function sharedWriteQueue(path: string): { run<T>(job: () => Promise<T>): Promise<T>; release(): void } {
  let q = writeQueues.get(path);
  if (!q) writeQueues.set(path, (q = { tail: Promise.resolve(), users: 0 }));
  q.users++;
  const queue = q;
  return {
    run<T>(job: () => Promise<T>): Promise<T> {
      const run = queue.tail.then(job);
      queue.tail = run.catch(() => undefined);
      return run;
    },
    release() {
      if (--queue.users === 0 && writeQueues.get(path) === queue) writeQueues.delete(path);
    },
  };
}

/** One write of a coalesced transaction: its function and its caller's answer. */
export interface WriteJob {
  readonly fn: (tx: LiteSql) => Promise<unknown>;
  readonly resolve: (r: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Write transactions on `db`, coalesced: the writes waiting when the writer is free go into ONE transaction
 * (BEGIN IMMEDIATE … COMMIT), each inside a SAVEPOINT of its own, so a write that throws rolls back alone, as
 * its own transaction would, and the others still commit. Every caller is answered after the COMMIT: durable
 * before acknowledged, with one fsync (synchronous=FULL) for the batch instead of one per write. The MT path
 * writes three times per message (claim, submit record, send record), each a group commit of its own; under
 * FULL each fsync also blocks the event loop (bun:sqlite is synchronous), so it paid three per round.
 * When sqlite itself ended the transaction (an I/O error, a full disk), nothing of it was kept: every write
 * of the batch is rejected.
 */
export function transactions(db: Database, tx: LiteSql): (jobs: readonly WriteJob[]) => Promise<void> {
  const [begin, commit, savepoint, release, rollbackTo] = ["BEGIN IMMEDIATE", "COMMIT", "SAVEPOINT w", "RELEASE w", "ROLLBACK TO w"].map((q) => db.prepare(q)) as [Statement, Statement, Statement, Statement, Statement];
  return async (jobs) => {
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      begin.run();
      for (const job of jobs) {
        savepoint.run();
        try {
          results.push({ ok: true, value: await job.fn(tx) });
          release.run();
        } catch (error) {
          if (!db.inTransaction) throw error;
          rollbackTo.run();
          release.run();
          results.push({ ok: false, error });
        }
      }
      commit.run();
    } catch (e) {
      if (db.inTransaction) db.run("ROLLBACK");
      for (const job of jobs) job.reject(e);
      return;
    }
    jobs.forEach((job, i) => {
      const r = results[i]!;
      if (r.ok) job.resolve(r.value);
      else job.reject(r.error);
    });
  };
}

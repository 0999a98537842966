/**
 * A `Db` that records every statement the store's own code issues through it (template, values, and the
 * arguments of `sql(x)` helpers), so a test can EXPLAIN exactly what the store runs, bound values included.
 */
import type { Db, Sql } from "../../../core/store/db.ts";

/** One statement as issued: its template, its values (helpers by their argument). */
export interface Recorded {
  readonly strings: TemplateStringsArray;
  readonly values: readonly unknown[];
  /** Which of `values` were `sql(x)` helpers (their `x` is in `values`). */
  readonly helpers: readonly boolean[];
  /** Issued on the read handle (committed reads) or inside a write transaction. */
  readonly on: "read" | "write";
}

const isTemplate = (x: unknown): x is TemplateStringsArray => Array.isArray(x) && "raw" in x;

function recording(sql: Sql, on: Recorded["on"], log: Recorded[]): Sql {
  const helperArgs = new WeakMap<object, unknown>();
  const f = ((first: unknown, ...values: unknown[]) => {
    if (!isTemplate(first)) {
      const h = (sql as unknown as (x: unknown) => object)(first);
      helperArgs.set(h, first);
      return h;
    }
    const helpers = values.map((v) => typeof v === "object" && v !== null && helperArgs.has(v));
    log.push({ strings: first, values: values.map((v, i) => (helpers[i] ? helperArgs.get(v as object) : v)), helpers, on });
    return (sql as unknown as (s: TemplateStringsArray, ...v: unknown[]) => unknown)(first, ...values);
  }) as unknown as Sql & { unsafe: Sql["unsafe"] };
  (f as { unsafe: unknown }).unsafe = (text: string) => sql.unsafe(text);
  return f;
}

/** `db` with every statement of its read handle and write transactions appended to `log`. */
export function recordingDb(db: Db, log: Recorded[]): Db {
  const read = recording(db.read, "read", log);
  return {
    dialect: db.dialect,
    read,
    write: (fn) => db.write((tx) => fn(recording(tx, "write", log))),
    close: () => db.close(),
  };
}

/** Runs `r` again on `sql` with `prefix` before its text (e.g. EXPLAIN), its helpers rebuilt on `sql`. */
export function rerun(sql: Sql, r: Recorded, prefix: string): Promise<Record<string, unknown>[]> {
  const t = Object.freeze(Object.defineProperty([prefix + r.strings[0], ...r.strings.slice(1)], "raw", {
    value: Object.freeze([prefix + r.strings.raw[0], ...r.strings.raw.slice(1)]),
  })) as unknown as TemplateStringsArray;
  const values = r.values.map((v, i) => (r.helpers[i] ? (sql as unknown as (x: unknown) => unknown)(v) : v));
  return (sql as unknown as (s: TemplateStringsArray, ...v: unknown[]) => Promise<Record<string, unknown>[]>)(t, ...values);
}

/** The statement's text, one line, for messages. */
export function textOf(r: Recorded): string {
  return r.strings.join("?").replace(/\s+/g, " ").trim();
}

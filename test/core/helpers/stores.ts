/**
 * The two store backends the core tests run against: a sqlite file in a fresh temp dir, and PostgreSQL at
 * GSH_TEST_PG_URL (default postgres://127.0.0.1:5432/test) in a schema unique to this run, dropped after.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropSchema } from "../../../core/store/db.ts";
import { openStore, type OpenStoreOptions, type Store } from "../../../core/store/store.ts";

export const PG_URL = process.env.GSH_TEST_PG_URL ?? "postgres://127.0.0.1:5432/test";

export type BackendName = "sqlite" | "postgres";
export const BACKENDS: readonly BackendName[] = ["sqlite", "postgres"];

export interface Backend {
  readonly name: BackendName;
  readonly url: string;
  readonly schema?: string;
  /** Opens a Store on this backend's database (several may be open at once: restarts, two cores). */
  open(opts?: OpenStoreOptions): Promise<Store>;
  /** Closes every store it opened and removes the database. */
  cleanup(): Promise<void>;
}

export function backend(name: BackendName): Backend {
  const opened: Store[] = [];
  const track = async (s: Promise<Store>) => {
    const store = await s;
    opened.push(store);
    return store;
  };
  const closeAll = async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  };
  if (name === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "gsh-core-"));
    const url = `sqlite://${join(dir, "core.sqlite")}`;
    return {
      name,
      url,
      open: (opts) => track(openStore(url, opts)),
      async cleanup() {
        await closeAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  return {
    name,
    url: PG_URL,
    schema,
    open: (opts) => track(openStore(PG_URL, { schema, ...opts })),
    async cleanup() {
      await closeAll();
      await dropSchema(PG_URL, schema);
    },
  };
}

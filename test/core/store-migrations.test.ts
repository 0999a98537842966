/** Migrations: applied once at open, a no-op after; both backends. */
import { afterAll, describe, expect, test } from "bun:test";
import { openDb } from "../../core/store/db.ts";
import { MIGRATIONS, migrate } from "../../core/store/migrations.ts";
import { BACKENDS, backend } from "./helpers/stores.ts";
import { mo } from "./helpers/events.ts";

for (const name of BACKENDS) {
  describe(`migrations (${name})`, () => {
    const b = backend(name);
    afterAll(() => b.cleanup());

    test("open migrates; migrating again applies nothing and keeps the data", async () => {
      const store = await b.open();
      expect(await store.insertEvents([await mo(1)], 1)).toEqual([{ inserted: true, cursor: expect.any(Number) }]);
      const db = await openDb(b.url, b.schema ? { schema: b.schema } : {});
      try {
        expect(await migrate(db)).toEqual([]);
        expect(await migrate(db)).toEqual([]);
        const rows = await db.read`SELECT version FROM schema_migrations ORDER BY version`;
        expect(rows.map((r: { version: number }) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      } finally {
        await db.close();
      }
      const again = await b.open();
      expect((await again.eventsAfter(0, 10)).length).toBe(1);
    });

    test("stores opened concurrently on the same database migrate once", async () => {
      const stores = await Promise.all([b.open(), b.open(), b.open()]);
      for (const s of stores) expect(await s.ping()).toBe(true);
    });

    test("stores opened concurrently on a database (or schema) nobody created yet all open", async () => {
      const fresh = backend(name); // a new, not yet existing PostgreSQL schema / sqlite file
      try {
        const stores = await Promise.all([fresh.open(), fresh.open(), fresh.open(), fresh.open()]);
        for (const s of stores) expect(await s.ping()).toBe(true);
      } finally {
        await fresh.cleanup();
      }
    });
  });
}

/**
 * Inbox benchmark: distinct events committed per second through `Inbox.accept` (resolved only after COMMIT,
 * outbox rows included, as in production with a webhook), on sqlite (temp file, WAL) and PostgreSQL
 * (GSH_TEST_PG_URL, default postgres://127.0.0.1:5432/test, a throwaway schema), with group commit vs one
 * transaction per event, at concurrency 1 and 256. Issue 4 targets: > 20,000/s sqlite, > 5,000/s PostgreSQL.
 * Run: npx bun test/bench/inbox.ts [seconds per case, default 2]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dedupKeys, type Event } from "../../contract/index.ts";
import { Inbox } from "../../core/inbox.ts";
import { dropSchema } from "../../core/store/db.ts";
import { openStore, type Store } from "../../core/store/store.ts";

const PG_URL = process.env.GSH_TEST_PG_URL ?? "postgres://127.0.0.1:5432/test";
const SECONDS = Number(process.argv[2] ?? 2);
let serial = 0;

/** A realistic MO event; the id is computed synchronously (the store does not recheck it). */
function nextEvent(): Event {
  const n = serial++;
  const dedupKey = dedupKeys.moById(`bench-${process.pid}-${n}`);
  const id = `evt_${new Bun.CryptoHasher("sha256").update(dedupKey).digest("hex").slice(0, 32)}`;
  return {
    type: "message.received",
    id,
    dedupKey,
    receivedAt: new Date().toISOString(),
    source: { channel: "smpp", site: "dc3", node: "smc1.dc3" },
    data: { from: "+12025550100", to: "12345", text: `benchmark message number ${n}, about as long as a typical reply to a campaign` },
  };
}

async function run(store: Store, groupCommit: boolean, concurrency: number): Promise<number> {
  const inbox = new Inbox(store, { groupCommit });
  const end = performance.now() + SECONDS * 1000;
  let committed = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const r = await inbox.accept(nextEvent());
      if (r.stored) committed++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return committed / ((performance.now() - t0) / 1000);
}

async function backendCases(name: string, open: () => Promise<Store>, cleanup: () => Promise<void>) {
  const store = await open();
  try {
    await run(store, true, 64); // warm-up
    for (const groupCommit of [true, false]) {
      for (const concurrency of [1, 256]) {
        const rate = await run(store, groupCommit, concurrency);
        const mode = groupCommit ? "group commit" : "tx per event";
        console.log(`${name.padEnd(10)} ${mode.padEnd(13)} concurrency ${String(concurrency).padStart(3)}: ${Math.round(rate).toLocaleString("en-US").padStart(8)} events/s`);
      }
    }
  } finally {
    await store.close();
    await cleanup();
  }
}

console.log(`inbox.accept → COMMIT, distinct events, ${SECONDS} s per case (bun ${Bun.version}, ${navigator.hardwareConcurrency} cpus)`);
const dir = mkdtempSync(join(tmpdir(), "gsh-bench-"));
await backendCases("sqlite", () => openStore(`sqlite://${join(dir, "bench.sqlite")}`), async () => rmSync(dir, { recursive: true, force: true }));
const schema = `bench_${process.pid}`;
await backendCases("postgres", () => openStore(PG_URL, { schema }), () => dropSchema(PG_URL, schema));

/**
 * Inbox benchmark: distinct events committed per second through `Inbox.accept` (resolved only after COMMIT,
 * outbox rows included, as in production with a webhook), on sqlite (temp file, WAL) and PostgreSQL
 * (GSH_TEST_PG_URL, default postgres://127.0.0.1:5432/test, a throwaway schema), with group commit vs one
 * transaction per event, at concurrency 1 and 256. Issue 4 targets: > 20,000/s sqlite, > 5,000/s PostgreSQL.
 * Run: npx bun test/bench/inbox.ts [seconds per case, default 2]
 */
import { dedupKeys, makeEventWith, type Event } from "../../contract/index.ts";
import { Inbox } from "../../core/inbound/inbox.ts";
import { sha256hex } from "../../core/inbound/mo-dedup.ts";
import type { Store } from "../../core/store/store.ts";
import { BACKENDS, backend, type Backend } from "../core/helpers/stores.ts";

const SECONDS = Number(process.argv[2] ?? 2);
let serial = 0;

/** A realistic MO event; the id is computed synchronously (the store does not recheck it). */
function nextEvent(): Event {
  const n = serial++;
  return makeEventWith(
    sha256hex,
    "message.received",
    dedupKeys.moById(`bench-${process.pid}-${n}`),
    { from: "+12025550100", to: "12345", text: `benchmark message number ${n}, about as long as a typical reply to a campaign` },
    { channel: "smpp", site: "dc3", node: "smc1.dc3" },
    new Date(),
  );
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

async function backendCases({ name, open, cleanup }: Backend) {
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
    await cleanup(); // closes the store, then removes the temp dir or drops the schema
  }
}

console.log(`inbox.accept → COMMIT, distinct events, ${SECONDS} s per case (bun ${Bun.version}, ${navigator.hardwareConcurrency} cpus)`);
for (const name of BACKENDS) await backendCases(backend(name));

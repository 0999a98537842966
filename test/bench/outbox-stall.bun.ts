/**
 * Benchmark: webhook deliveries per second against a receiver that stalls some connections (1 in STALL_EVERY
 * requests never answers; the webhook timeout ends it after TIMEOUT_MS), both ways in the same run on fresh
 * sqlite stores: "rounds" (claim 64, post all, wait for the slowest: the outbox before the pool, kept as
 * `runOnce`) and "pool" (`start()`: 64 in flight, refilled as each settles). Prints one JSON line per mode.
 * Run: flock /tmp/bench.lock bun test/bench/outbox-stall.bun.ts [events=3000] [seconds=8]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../contract/index.ts";
import { Outbox } from "../../core/delivery/outbox.ts";
import { WebhookClient } from "../../core/delivery/webhook.ts";
import { Inbox } from "../../core/inbound/inbox.ts";
import { openStore } from "../../core/store/store.ts";
import { mos } from "../core/helpers/events.ts";

const EVENTS = Number(process.argv[2] ?? 3000);
const SECONDS = Number(process.argv[3] ?? 8);
const STALL_EVERY = 16;
const TIMEOUT_MS = 1_000;

let n = 0;
const receiver = Bun.serve({
  hostname: "127.0.0.1", port: 0,
  async fetch(req) {
    await req.text();
    if (++n % STALL_EVERY === 0) await Bun.sleep(TIMEOUT_MS * 3); // a connection that hangs
    return new Response("ok");
  },
});

async function run(mode: "rounds" | "pool") {
  const dir = mkdtempSync(join(tmpdir(), "gsh-bench-outbox-"));
  const store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
  const inbox = new Inbox(store);
  const events = await mos(0, EVENTS);
  for (let i = 0; i < events.length; i += 500) await Promise.all(events.slice(i, i + 500).map((e) => inbox.accept(e)));
  const outbox = new Outbox({
    store, owner: mode, batch: 64, idleMs: 20, retry: { baseMs: 60_000, capMs: 60_000, maxAttempts: 12 },
    webhook: new WebhookClient({ url: `http://127.0.0.1:${receiver.port}/`, secret: "bench", clock: systemClock, timeoutMs: TIMEOUT_MS }),
  });
  let delivered = 0;
  outbox.on("delivery", ({ result }) => { if (result === "delivered") delivered++; });
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  if (mode === "pool") {
    outbox.start();
    while (performance.now() < end && delivered < EVENTS) await Bun.sleep(20);
    await outbox.stop();
  } else {
    while (performance.now() < end && delivered < EVENTS) if ((await outbox.runOnce()) === 0) await Bun.sleep(20);
  }
  const s = (performance.now() - t0) / 1000;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { mode, events: EVENTS, stallEvery: STALL_EVERY, timeoutMs: TIMEOUT_MS, delivered, seconds: Number(s.toFixed(2)), perSecond: Math.round(delivered / s) };
}

for (const mode of ["rounds", "pool"] as const) console.log(JSON.stringify(await run(mode)));
receiver.stop(true);

/**
 * The core process killed with SIGKILL in the middle of an MO stream, then started again: the real
 * `bun core/main.ts` (config from a temp file via GSH_CORE_CONFIG, a temp sqlite store) against the
 * in-process simulator. MOs that were received but not committed (or committed but not acknowledged) when
 * the process died are delivered again by the SMSC after the restart; at the end every MO is in the store
 * exactly once and every MO the SMSC saw acknowledged before the kill is among them. The kill lands while
 * the store is stalled (this test holds sqlite's write lock from its own connection): a core that answered
 * deliver_sm before its commit would have acknowledged MOs it then loses, so the test fails; one that answers
 * after the commit has acknowledged none of them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { Database } from "bun:sqlite";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { TOKEN } from "./helpers/sim-core.ts";
import { spawnCore as spawnOne, type CoreProcess } from "./helpers/core-process.ts";

const TOTAL = 3_000;
const KILL_AFTER_ACKS = 600;
const dir = mkdtempSync(join(tmpdir(), "gsh-crash-"));
const configPath = join(dir, "core.json");
const run = crypto.randomUUID().slice(0, 6);
let sim: Simulator;
const procs: Subprocess[] = [];

type Core = CoreProcess;
const spawnCore = () => spawnOne(configPath, procs);

beforeAll(async () => {
  sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 2_000 });
  writeFileSync(
    configPath,
    JSON.stringify({
      mode: "development",
      http: { host: "127.0.0.1", port: 0, token: TOKEN },
      store: { url: `sqlite://${join(dir, "core.sqlite")}` },
      webhook: { secret: "crash-test-secret" },
      genesys: { login: "demo", password: "demo" },
      topology: {
        sites: (["dc3", "bos"] as const).map((name) => ({ name, httpUrl: sim.sites[name].httpUrl })),
        smscNodes: sim.nodes.map((n) => ({ name: n.name, site: n.site, host: n.host, port: n.port, tls: false })),
      },
      // The restarted core waits out the rebind floor from the killed one's attempts (kept in the store): 1 s here.
      binds: { window: 10, responseTimeoutMs: 2_000, enquireLinkMs: 0, drainMs: 500, rebindFloorMs: 1_000, rebindJitterMs: 0 },
      log: { level: "info" },
    }),
  );
});

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function storedMoTexts(core: Core): Promise<string[]> {
  const texts: string[] = [];
  let after = 0;
  for (;;) {
    const r = (await (await fetch(`${core.url}/v1/events?after=${after}&limit=1000`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as {
      events: { cursor: number; event: { type: string; data: { text?: string } } }[];
      next: number;
    };
    for (const e of r.events) if (e.event.type === "message.received") texts.push(e.event.data.text!);
    if (r.events.length < 1000) return texts;
    after = r.next;
  }
}

describe("SIGKILL between receive and commit", () => {
  test("after a restart every MO is stored exactly once and nothing acknowledged is lost", async () => {
    const first = await spawnCore();
    await sim.ledger.waitFor((l) => l.activeBinds.length === 4, 5_000);

    const textOf = new Map<string, string>(); // Genesys MO id → text
    let injected = 0;
    const inject = (n: number) => {
      for (let i = 0; i < n && injected < TOTAL; i++, injected++) {
        const text = `crash ${run} ${injected}`;
        textOf.set(sim.injectMo({ from: "4512345678", to: "12345", text }), text);
      }
    };
    // A steady stream; SIGKILL once enough are acknowledged, at a moment when deliveries are in flight (a
    // core that keeps up acknowledges each batch before the next: waiting on the count alone could kill it
    // with nothing in flight, and test nothing).
    const pump = setInterval(() => inject(40), 2);
    try {
      await sim.ledger.waitFor((l) => l.mosAcked.length >= KILL_AFTER_ACKS && l.mosEmitted.length >= l.mosAcked.length + 5, 10_000);
      // Stall the store: the core's next commit waits for this lock, and the SIGKILL lands while it waits, with
      // deliver_sm read and not yet committed (an ack sent before the commit would be an MO lost).
      const lock = new Database(join(dir, "core.sqlite"));
      try {
        lock.run("PRAGMA busy_timeout = 5000");
        lock.run("BEGIN IMMEDIATE");
        const emitted = sim.ledger.mosEmitted.length;
        await sim.ledger.waitFor((l) => l.mosEmitted.length >= emitted + 40, 5_000);
        await Bun.sleep(200);
        first.proc.kill("SIGKILL");
        await first.proc.exited;
      } finally {
        lock.run("ROLLBACK");
        lock.close();
      }
      await first.proc.exited;
    } finally {
      clearInterval(pump);
    }
    const ackedBeforeKill = new Set(sim.ledger.mosAcked.map((a) => a.message_id));
    const emittedBeforeKill = new Set(sim.ledger.mosEmitted.map((e) => e.message_id));
    const inFlightAtKill = [...emittedBeforeKill].filter((id) => !ackedBeforeKill.has(id));
    expect(first.proc.signalCode).toBe("SIGKILL");
    expect(inFlightAtKill.length).toBeGreaterThan(0); // the kill did land between receive and acknowledgement
    if (process.env.GSH_TEST_VERBOSE) console.log({ ackedBeforeKill: ackedBeforeKill.size, emittedBeforeKill: emittedBeforeKill.size, inFlightAtKill: inFlightAtKill.length, injected });
    inject(TOTAL); // the rest arrive while the core is down: the SMSC holds them

    const second = await spawnCore();
    await sim.ledger.waitFor((l) => new Set(l.mosAcked.map((a) => a.message_id)).size === TOTAL, 15_000);
    expect(sim.ledger.abandoned).toHaveLength(0);
    expect(sim.ledger.redeliveries.filter((r) => r.reason === "closed").length).toBeGreaterThanOrEqual(inFlightAtKill.length);

    const texts = await storedMoTexts(second);
    const counts = new Map<string, number>();
    for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
    expect(counts.size).toBe(TOTAL); // every MO stored
    expect([...counts.values()].filter((c) => c !== 1)).toEqual([]); // and exactly once
    for (const id of ackedBeforeKill) expect(counts.get(textOf.get(id)!)).toBe(1); // nothing acknowledged was lost
    for (const id of inFlightAtKill) expect(counts.get(textOf.get(id)!)).toBe(1);

    if (process.env.GSH_TEST_VERBOSE) console.log((await (await fetch(`${second.url}/metrics`)).text()).split("\n").filter((l) => l.startsWith("gsh_dedup") || l.startsWith("gsh_events_stored")));
    // Graceful stop of the second process: SIGTERM unbinds every node and exits 0.
    const unbinds0 = sim.ledger.unbinds.filter((u) => u.by === "client").length;
    second.proc.kill("SIGTERM");
    expect(await second.proc.exited).toBe(0);
    expect(sim.ledger.unbinds.filter((u) => u.by === "client").length - unbinds0).toBe(4);
    expect(second.out.join("\n")).not.toContain("crash "); // no MO text in the logs
  }, 40_000);
});

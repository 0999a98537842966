/**
 * Benchmark: submit_sm → submit_sm_resp round trips per second against one fast SMSC responder
 * in another process (smpp-responder.ts), in one run: our session layer (4 binds, window 64) and
 * the npm `smpp` package's client on Node and on Bun under the same load. Prints a table.
 * Usage: npx bun test/bench/smpp-submit.ts [ourMsgs=1000000] [pkgMsgs=200000]
 */
import { Session } from "../../core/smpp/session.ts";

const BINDS = 4;
const WINDOW = 64;
const ourMsgs = Number(process.argv[2] ?? 1_000_000);
const pkgMsgs = Number(process.argv[3] ?? 200_000);
const here = new URL(".", import.meta.url).pathname;

interface Row { client: string; runtime: string; msgs: number; seconds: number; errors: number; p50: number; p99: number }

async function startResponder(): Promise<{ port: number; stop(): void }> {
  const proc = Bun.spawn([process.execPath, `${here}smpp-responder.ts`], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!/port \d+/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error("responder exited");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { port: Number(/port (\d+)/.exec(text)![1]), stop: () => proc.kill() };
}

async function ours(port: number, total: number): Promise<Omit<Row, "client" | "runtime">> {
  const sessions = Array.from({ length: BINDS }, () =>
    new Session({ endpoint: { host: "127.0.0.1", port }, systemId: "bench", password: "pw", window: WINDOW, enquireLinkIdleMs: 0, responseTimeoutMs: 30_000 }));
  for (const s of sessions) {
    const r = await s.bind();
    if (r.kind !== "bound") throw new Error(`bind: ${JSON.stringify(r)}`);
  }
  const message = { sourceAddr: "Genesys", destinationAddr: "4512345678", registeredDelivery: 1, shortMessage: new TextEncoder().encode("benchmark message 01") };
  const perSession = Math.ceil(total / BINDS);
  const latencies = new Float64Array(perSession * BINDS);
  let recorded = 0;
  let errors = 0;
  const pump = (s: Session, count: number) =>
    new Promise<void>((resolve) => {
      let sent = 0;
      let done = 0;
      const fire = () => {
        while (sent < count && s.available > 0) {
          sent++;
          const t0 = performance.now();
          s.submit(message).then((r) => {
            latencies[recorded++] = performance.now() - t0;
            if (r.kind !== "resp" || r.status !== 0) errors++;
            if (++done === count) resolve();
            else fire();
          });
        }
      };
      fire();
    });
  await Promise.all(sessions.map((s) => pump(s, Math.min(20_000, perSession)))); // warm-up (JIT)
  recorded = 0;
  errors = 0;
  const t0 = performance.now();
  await Promise.all(sessions.map((s) => pump(s, perSession)));
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(sessions.map((s) => s.unbind()));
  const sorted = latencies.subarray(0, recorded).sort();
  return { msgs: recorded, seconds, errors, p50: sorted[Math.floor(recorded * 0.5)]!, p99: sorted[Math.floor(recorded * 0.99)]! };
}

async function pkg(runtime: "node" | "bun", port: number, total: number): Promise<Omit<Row, "client" | "runtime">> {
  // `node` from PATH: under npx/npm that is node_modules/.bin (Node 22).
  const exe = runtime === "bun" ? process.execPath : "node";
  const proc = Bun.spawn([exe, `${here}smpp-pkg-client.mjs`, String(port), String(BINDS), String(WINDOW), String(total)], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`${runtime} client failed`);
  return JSON.parse(out.trim().split("\n").pop()!);
}

const responder = await startResponder();
const rows: Row[] = [];
try {
  const nodeVersion = Bun.spawnSync(["node", "--version"]).stdout.toString().trim();
  rows.push({ client: "genesys-sms-ha core/smpp", runtime: `bun ${Bun.version}`, ...(await ours(responder.port, ourMsgs)) });
  rows.push({ client: "smpp (npm) 0.5.1", runtime: `node ${nodeVersion}`, ...(await pkg("node", responder.port, pkgMsgs)) });
  rows.push({ client: "smpp (npm) 0.5.1", runtime: `bun ${Bun.version}`, ...(await pkg("bun", responder.port, pkgMsgs)) });
} finally {
  responder.stop();
}

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const table = [["client", "runtime", "binds", "window", "msgs", "seconds", "msg/s", "p50 ms", "p99 ms", "errors"]];
for (const r of rows) {
  table.push([r.client, r.runtime, String(BINDS), String(WINDOW), fmt(r.msgs), fmt(r.seconds, 2), fmt(r.msgs / r.seconds), fmt(r.p50, 2), fmt(r.p99, 2), String(r.errors)]);
}
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const row of table) console.log(row.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
const [o, n] = rows;
console.log(`\nours / smpp on node: ${fmt(o!.msgs / o!.seconds / (n!.msgs / n!.seconds), 1)}x  (targets: >= 10x and > 100,000 msg/s)`);

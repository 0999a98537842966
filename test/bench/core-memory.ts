/**
 * Memory of the core process with four binds under load: the real `bun core/main.ts` (config via
 * GSH_CORE_CONFIG, a temp sqlite store, webhook off) bound four times to the raw-socket SMSC (smpp-blaster.ts,
 * another process), RSS read from /proc/<pid>/status (VmRSS, VmHWM) and compared with the core's own
 * /metrics process_resident_memory_bytes. Phases: idle after binding; an inbound burst (deliver_sm MOs,
 * SMSC window 256 per bind) together with an MT burst (POST /v1/messages, 64 concurrent); settled after.
 * Settings in one run, each with a fresh core, blaster and store: "default"; "forceRAMSize" (the JSC setting a
 * user finds first, and this unit's earlier opt-in); the two opt-in memory profiles of the systemd unit in
 * docs/core.md, "balanced" and "100 MiB". JSC settings are environment variables read at the core's start, so
 * each setting is its own process. ONLY=<name prefix>[,<prefix>…] runs some; ROUNDS=2 (default) runs them all
 * twice, in alternating order; a line per round, then the table.
 * Usage: npx bun test/bench/core-memory.ts [moPerBind=50000] [mts=20000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_TOKEN, benchCoreConfig } from "./bench-core-config.ts";
import { MEMORY_PROFILES } from "./memory-profiles.ts";

const moPerBind = Number(process.argv[2] ?? 50_000);
const mts = Number(process.argv[3] ?? 20_000);
const here = new URL(".", import.meta.url).pathname;
const root = new URL("../..", import.meta.url).pathname;
const TOKEN = BENCH_TOKEN;

const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
const loadAverage = () => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
function procMem(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)![1]), hwm: Number(/VmHWM:\s+(\d+)/.exec(s)![1]) };
}


interface Setting {
  readonly name: string;
  readonly store: Record<string, unknown>;
  readonly env: Record<string, string>;
}
interface Figures {
  idle: number;
  peak: number;
  end: number;
  settled: number;
  settledMetric: number;
  moPerS: number;
  mtPerS: number;
  nacked: number;
  accepted: number;
  /** The 1-minute load average, the higher of before and after the load. */
  load: number;
}

async function measure(setting: Setting): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "gsh-mem-"));
  const blaster = Bun.spawn([process.execPath, `${here}smpp-blaster.ts`], {
    stdout: "pipe",
    stderr: "inherit",
    env: { ...process.env, COUNT: String(moPerBind), WINDOW: "256", SESSIONS: "4", KIND: "mo", HOLD: "1" },
  });
  const reader = blaster.stdout.getReader();
  let text = "";
  const line = async (re: RegExp) => {
    while (!re.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error("blaster exited");
      text += new TextDecoder().decode(value);
    }
    return re.exec(text)!;
  };
  const port = Number((await line(/port (\d+)/))[1]);

  writeFileSync(
    join(dir, "core.json"),
    JSON.stringify(benchCoreConfig(port, { url: `sqlite://${join(dir, "core.sqlite")}`, ...setting.store }, "warn")),
  );
  const core = Bun.spawn([process.execPath, "core/main.ts"], {
    cwd: root,
    env: { ...process.env, ...setting.env, GSH_CORE_CONFIG: join(dir, "core.json"), GSH_LOG_LEVEL: "info" },
    stdout: "pipe",
    stderr: "inherit",
  });
  const coreOut = core.stdout.getReader();
  let coreText = "";
  while (!/"msg":"core listening"/.test(coreText)) {
    const { value, done } = await coreOut.read();
    if (done) throw new Error("core exited");
    coreText += new TextDecoder().decode(value);
  }
  const url = /"url":"([^"]+)"/.exec(coreText.slice(coreText.indexOf("core listening")))![1]!;
  void (async () => {
    while (!(await coreOut.read()).done); // keep draining its log
  })();
  const boundCount = async () => {
    const { binds } = (await (await fetch(`${url}/v1/binds`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { binds: { state: string }[] };
    return binds.filter((x) => x.state === "bound").length;
  };
  let allBound = false;
  for (let i = 0; i < 100 && !allBound; i++) {
    allBound = (await boundCount()) === 4;
    if (!allBound) await Bun.sleep(50);
  }
  if (!allBound) throw new Error("core did not bind 4 times (100 polls of /v1/binds, 50 ms apart)");
  const metricRss = async () => Number(/process_resident_memory_bytes (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN) / 1024;

  await Bun.sleep(1000);
  const idle = procMem(core.pid);
  const idleMetric = await metricRss();

  // Load: the inbound burst and the MT burst at once; sample RSS meanwhile.
  let peakSampled = idle.rss;
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, procMem(core.pid).rss)), 50);
  const load0 = loadAverage();
  const t0 = performance.now();
  blaster.kill("SIGUSR2");
  let sent = 0;
  let accepted = 0;
  const worker = async () => {
    while (sent < mts) {
      sent++;
      const r = await fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ to: "4512345678", sender: "12345", text: `memory bench MT ${sent}` }),
      });
      if (r.status === 202) accepted++;
      await r.arrayBuffer();
    }
  };
  const mtDone = Promise.all(Array.from({ length: 64 }, worker)).then(() => performance.now() - t0);
  const inbound = JSON.parse((await line(/\{[^\n]*"seconds"[^\n]*\}/))[0]) as { acked: number; nacked: number; seconds: number };
  const mtMs = await mtDone;
  clearInterval(sampler);
  const loaded = procMem(core.pid);
  await Bun.sleep(3000);
  const settled = procMem(core.pid);
  const settledMetric = await metricRss();

  core.kill("SIGTERM");
  await core.exited;
  blaster.kill();
  rmSync(dir, { recursive: true, force: true });
  return {
    idle: idle.rss,
    peak: Math.max(peakSampled, loaded.hwm),
    end: loaded.rss,
    settled: settled.rss,
    settledMetric,
    moPerS: inbound.acked / inbound.seconds,
    mtPerS: accepted / (mtMs / 1000),
    nacked: inbound.nacked,
    accepted,
    load: Math.max(load0, loadAverage()),
  };
}

const all: Setting[] = [
  { name: "default", store: {}, env: {} },
  { name: "forceRAMSize 128 MiB (the earlier opt-in)", store: {}, env: { BUN_JSC_forceRAMSize: String(128 * 2 ** 20) } },
  { name: "balanced (opt-in profile)", ...MEMORY_PROFILES.balanced },
  { name: "100 MiB (opt-in profile)", ...MEMORY_PROFILES["100 MiB"] },
];
const prefixes = process.env.ONLY?.split(",");
const settings = all.filter((s) => !prefixes || prefixes.some((p) => s.name.startsWith(p)));
// Rounds in alternating order (a busy machine favours whichever setting runs first): the peak is the highest
// of the rounds, the rates their mean.
const rounds = Number(process.env.ROUNDS ?? 2);
const runs = new Map<Setting, Figures[]>(settings.map((s) => [s, []]));
for (let r = 0; r < rounds; r++)
  for (const s of r % 2 ? [...settings].reverse() : settings) {
    const f = await measure(s);
    runs.get(s)!.push(f);
    console.log(`round ${r + 1}, ${s.name}: peak ${mib(f.peak)}, settled ${mib(f.settled)}, ${Math.round(f.moPerS)} MOs/s, ${Math.round(f.mtPerS)} MTs/s, load ${f.load}`);
  }
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows: [Setting, Figures][] = [...runs].map(([s, fs]) => [s, {
  idle: Math.max(...fs.map((f) => f.idle)),
  peak: Math.max(...fs.map((f) => f.peak)),
  end: Math.max(...fs.map((f) => f.end)),
  settled: Math.max(...fs.map((f) => f.settled)),
  settledMetric: Math.max(...fs.map((f) => f.settledMetric)),
  moPerS: mean(fs.map((f) => f.moPerS)),
  mtPerS: mean(fs.map((f) => f.mtPerS)),
  nacked: Math.max(...fs.map((f) => f.nacked)),
  accepted: Math.min(...fs.map((f) => f.accepted)),
  load: Math.max(...fs.map((f) => f.load)),
}]);

const n = (x: number) => Math.round(x).toLocaleString("en-US");
console.log(`core process memory (VmRSS of the core alone), 4 binds, bun ${Bun.version}, sqlite store, webhook off; load: ${n(4 * moPerBind)} MOs + ${n(mts)} MTs at once; ${rounds} rounds, alternating order: highest RSS, mean rates`);
console.log(["setting".padEnd(46), "idle".padStart(10), "peak".padStart(10), "end".padStart(10), "settled".padStart(10), "MOs/s".padStart(8), "MTs/s".padStart(7), "load ≤".padStart(7)].join(" "));
for (const [s, f] of rows) {
  console.log([s.name.padEnd(46), mib(f.idle).padStart(10), mib(f.peak).padStart(10), mib(f.end).padStart(10), mib(f.settled).padStart(10), n(f.moPerS).padStart(8), n(f.mtPerS).padStart(7), f.load.toFixed(1).padStart(7)].join(" "));
  if (f.nacked > 0 || f.accepted < mts) console.log(`  ${s.name}: ${f.nacked} MOs nacked, ${f.accepted}/${mts} MTs accepted`);
  if (Math.abs(f.settledMetric - f.settled) > 0.1 * f.settled) console.log(`  ${s.name}: /metrics RSS ${mib(f.settledMetric)} disagrees with VmRSS`);
}
process.exit(0);

/**
 * Memory of the core process with four binds under load: the real `bun core/main.ts` (config via
 * GSH_CORE_CONFIG, a temp sqlite store, webhook off) bound four times to the raw-socket SMSC (smpp-blaster.ts,
 * another process), RSS read from /proc/<pid>/status (VmRSS, VmHWM) and compared with the core's own
 * /metrics process_resident_memory_bytes. Phases: idle after binding; an inbound burst (deliver_sm MOs,
 * SMSC window 256 per bind) together with an MT burst (POST /v1/messages, 64 concurrent); settled after.
 * Usage: npx bun test/bench/core-memory.ts [moPerBind=50000] [mts=20000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const moPerBind = Number(process.argv[2] ?? 50_000);
const mts = Number(process.argv[3] ?? 20_000);
const here = new URL(".", import.meta.url).pathname;
const root = new URL("../..", import.meta.url).pathname;
const TOKEN = "bench-token-123";
const dir = mkdtempSync(join(tmpdir(), "gsh-mem-"));

const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
function procMem(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)![1]), hwm: Number(/VmHWM:\s+(\d+)/.exec(s)![1]) };
}

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
  JSON.stringify({
    mode: "development",
    http: { port: 0, token: TOKEN },
    store: { url: `sqlite://${join(dir, "core.sqlite")}` },
    webhook: { secret: "bench-secret" },
    genesys: { login: "bench", password: "pw" },
    topology: {
      sites: [{ name: "dc3", httpUrl: "http://127.0.0.1:1/x" }, { name: "bos", httpUrl: "http://127.0.0.1:1/y" }],
      smscNodes: ["smc1.dc3", "smc2.dc3", "smc1.bos", "smc2.bos"].map((name) => ({ name, site: name.slice(5), host: "127.0.0.1", port, tls: false })),
    },
    binds: { window: 64, enquireLinkMs: 0 },
    log: { level: "warn" },
  }),
);
const core = Bun.spawn([process.execPath, "core/main.ts"], {
  cwd: root,
  env: { ...process.env, GSH_CORE_CONFIG: join(dir, "core.json"), GSH_LOG_LEVEL: "info" },
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

console.log(`core process memory, 4 binds (bun ${Bun.version}, sqlite store, webhook off)`);
console.log(`load: ${inbound.acked.toLocaleString("en-US")} MOs in ${inbound.seconds.toFixed(1)} s (${Math.round(inbound.acked / inbound.seconds).toLocaleString("en-US")}/s, ${inbound.nacked} nacked) + ${accepted.toLocaleString("en-US")}/${mts.toLocaleString("en-US")} MTs accepted in ${(mtMs / 1000).toFixed(1)} s (${Math.round(accepted / (mtMs / 1000)).toLocaleString("en-US")}/s)`);
console.log(["phase".padEnd(22), "VmRSS".padStart(10), "/metrics RSS".padStart(13)].join(" "));
console.log(["idle, 4 binds".padEnd(22), mib(idle.rss).padStart(10), mib(idleMetric).padStart(13)].join(" "));
console.log(["peak under load".padEnd(22), mib(Math.max(peakSampled, loaded.hwm)).padStart(10), "".padStart(13)].join(" "));
console.log(["end of load".padEnd(22), mib(loaded.rss).padStart(10), "".padStart(13)].join(" "));
console.log(["settled (+3 s)".padEnd(22), mib(settled.rss).padStart(10), mib(settledMetric).padStart(13)].join(" "));

core.kill("SIGTERM");
await core.exited;
blaster.kill();
rmSync(dir, { recursive: true, force: true });
process.exit(0);

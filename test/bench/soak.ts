/**
 * The chaos/soak run (a script that prints figures, not a test): the real core as its own process, bound to
 * the simulator's four SMSC nodes and to every hostile peer the scenarios in test/bench/soak/*.ts bring, with
 * real MT and MO traffic through it while every scenario attacks, for a set time. Then the audit:
 *   MTs accepted / unknown / rejected (each checked against what the SMSCs really took), MOs stored once
 *   (identical texts sent twice must be two events), the core's peak RSS and file handles, and whether it
 *   stayed up.
 *   SOAK_MINUTES=10 SOAK_MT_RATE=10 SOAK_MO_RATE=5 SOAK_SCENARIOS=name,name bun test/bench/soak.ts
 * Exit code 0 when nothing was lost and nothing misreported.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Event, SmscNode } from "../../contract/index.ts";
import { startSimulator } from "../../sim/index.ts";
import type { SoakScenario, SoakSetup } from "./soak-scenario.ts";

const env = (name: string, dflt: number) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const minutes = env("SOAK_MINUTES", 10);
const mtRate = env("SOAK_MT_RATE", 10);
const moRate = env("SOAK_MO_RATE", 5);
const only = process.env.SOAK_SCENARIOS?.split(",").map((s) => s.trim()).filter(Boolean);

// ---- scenarios ----
const dirUrl = new URL("./soak/", import.meta.url);
const scenarios: SoakScenario[] = [];
for (const f of readdirSync(dirUrl).filter((f) => f.endsWith(".ts")).sort()) {
  const mod = (await import(new URL(f, dirUrl).href)) as { scenario?: SoakScenario };
  if (!mod.scenario) throw new Error(`test/bench/soak/${f} exports no \`scenario\``);
  if (!only || only.includes(mod.scenario.name)) scenarios.push(mod.scenario);
}
if (only) for (const n of only) if (!scenarios.some((s) => s.name === n)) throw new Error(`no scenario named ${n}`);

const dir = mkdtempSync(join(tmpdir(), "gsh-soak-"));
const sim = await startSimulator({ enquireLinkMs: 0, deliverAckTimeoutMs: 5_000 });
const setups: SoakSetup[] = [];
for (const s of scenarios) setups.push(await s.setup?.({ sim, dir }) ?? {});
const hostileNodes: SmscNode[] = setups.flatMap((s) => s.nodes ?? []);

// ---- the core, as its own process ----
const token = crypto.randomUUID().replaceAll("-", "");
const port = await freePort();
const raw: Record<string, any> = {
  mode: "development",
  http: { host: "127.0.0.1", port, token },
  store: { url: `sqlite://${join(dir, "core.sqlite")}` },
  webhook: { secret: crypto.randomUUID() },
  genesys: { login: "demo", password: "demo" },
  topology: {
    sites: (["dc3", "bos"] as const).map((name) => ({ name, httpUrl: sim.sites[name].httpUrl })),
    smscNodes: [...sim.nodes.map((n) => ({ name: n.name, site: n.site, host: n.host, port: n.port, tls: false })), ...hostileNodes],
  },
  binds: { rebindFloorMs: 30_000, rebindJitterMs: 2_000, window: 10, responseTimeoutMs: 5_000, enquireLinkMs: 10_000, drainMs: 1_000 },
  log: { level: "warn" },
};
for (const s of setups) s.coreConfig?.(raw);
writeFileSync(join(dir, "core.json"), JSON.stringify(raw, null, 2));
const fileLimit = Math.min(...setups.map((s) => s.fileLimit ?? Infinity));
const coreCmd = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(new URL("../../core/main.ts", import.meta.url).pathname)}`;
const core = Bun.spawn(["bash", "-c", Number.isFinite(fileLimit) ? `ulimit -n ${fileLimit} && ${coreCmd}` : coreCmd], {
  env: { ...process.env, GSH_CORE_CONFIG: join(dir, "core.json") },
  stdout: Bun.file(join(dir, "core.log")),
  stderr: Bun.file(join(dir, "core.err")),
});
let coreExit: number | null = null;
void core.exited.then((c) => (coreExit = c));
const coreUrl = `http://127.0.0.1:${port}`;
const auth = { Authorization: `Bearer ${token}` };
await waitFor(async () => (await fetch(`${coreUrl}/healthz`).catch(() => undefined))?.ok === true, 20_000, "the core answering /healthz");
await sim.ledger.waitFor((l) => l.activeBinds.length === sim.nodes.length, 20_000);

console.log(`soak: ${minutes} min, ${mtRate} MT/s, ${moRate} MO/s, core pid ${core.pid}${Number.isFinite(fileLimit) ? ` (ulimit -n ${fileLimit})` : ""}`);
console.log(`scenarios: ${scenarios.map((s) => s.name).join(", ") || "(none)"}; hostile nodes: ${hostileNodes.map((n) => n.name).join(", ") || "(none)"}`);

// ---- sampling ----
const peak = { rss: 0, fds: 0 };
const sample = () => {
  try {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${core.pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
    const fds = readdirSync(`/proc/${core.pid}/fd`).length;
    peak.rss = Math.max(peak.rss, rss);
    peak.fds = Math.max(peak.fds, fds);
    return { rss, fds };
  } catch {
    return { rss: 0, fds: 0 }; // the process is gone
  }
};

// ---- traffic ----
type MtClass = "accepted" | "unknown" | "rejected" | "partial" | "no_answer";
interface MtRecord { to: string; segments: number; cls?: MtClass; status?: number; body?: any }
const mts: MtRecord[] = [];
const moTexts = new Map<string, { count: number; ids: string[] }>();
const inflight = new Set<Promise<unknown>>();
const track = (p: Promise<unknown>) => {
  inflight.add(p);
  void p.finally(() => inflight.delete(p));
};
const controller = new AbortController();
const signal = controller.signal;
const t0 = Date.now();
const endAt = t0 + minutes * 60_000;
let seq = 0;

async function sendMt(): Promise<void> {
  const n = seq++;
  const long = n % 5 === 0; // one in five is three segments
  const rec: MtRecord = { to: `452${String(n).padStart(7, "0")}`, segments: long ? 3 : 1 }; // a Danish mobile number each
  mts.push(rec);
  const text = long ? `soak ${n} `.padEnd(400, "x") : `soak ${n}`;
  try {
    const r = await fetch(`${coreUrl}/v1/messages`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ to: rec.to, sender: "12345", text, clientMessageId: `soak-${t0}-${n}` }),
      signal: AbortSignal.timeout(60_000),
    });
    rec.status = r.status;
    rec.body = await r.json().catch(() => undefined);
    const o = rec.body?.outcome ?? rec.body;
    rec.cls = o?.status === "accepted" ? "accepted" : o?.status === "unknown" ? "unknown" : o?.status === "partial" ? "partial" : r.status >= 400 && o ? "rejected" : "no_answer";
  } catch {
    rec.cls = "no_answer";
  }
}

let moSeq = 0;
function sendMo(): void {
  const n = moSeq++;
  // Every tenth MO is the same words from the same handset as the one before: two messages, never one.
  const text = n % 10 === 1 ? `soak mo ${t0} ${n - 1}` : `soak mo ${t0} ${n}`;
  const from = `4561${String(n % 10 === 1 ? n - 1 : n).padStart(6, "0")}`;
  const id = sim.injectMo({ from, to: "12345", text });
  const e = moTexts.get(text) ?? { count: 0, ids: [] };
  e.count++;
  e.ids.push(id);
  moTexts.set(text, e);
}

async function every(perSecond: number, fn: () => void): Promise<void> {
  const gap = 1000 / perSecond;
  let next = Date.now();
  while (!signal.aborted && Date.now() < endAt) {
    fn();
    next += gap;
    await Bun.sleep(Math.max(0, next - Date.now()));
  }
}

const scenarioRuns = scenarios.map((s) =>
  s.run({ sim, coreUrl, token, corePid: core.pid, signal, log: (l) => console.log(`[${s.name}] ${l}`) }).catch((e: unknown) => {
    console.log(`[${s.name}] run failed: ${e instanceof Error ? e.stack : String(e)}`);
  }),
);
const ticker = setInterval(() => {
  const { rss, fds } = sample();
  const done = mts.filter((m) => m.cls);
  const count = (c: MtClass) => done.filter((m) => m.cls === c).length;
  console.log(
    `t+${Math.round((Date.now() - t0) / 1000)} s  MT ${mts.length} (ok ${count("accepted")}, unknown ${count("unknown")}, rejected ${count("rejected")}, partial ${count("partial")}, no answer ${count("no_answer")})  MO ${moSeq}  rss ${(rss / 2 ** 20).toFixed(0)} MB  fds ${fds}${coreExit !== null ? `  CORE EXITED ${coreExit}` : ""}`,
  );
}, 15_000);
const sampler = setInterval(sample, 1_000);
const stopTimer = setTimeout(() => controller.abort(), endAt - Date.now());
await Promise.all([every(mtRate, () => track(sendMt())), every(moRate, sendMo)]);
controller.abort();
clearTimeout(stopTimer);
await Promise.all(scenarioRuns);
await Promise.all([...inflight]);

// ---- settle: every injected MO acknowledged (or given up) by the simulator ----
const moIds = [...moTexts.values()].flatMap((e) => e.ids);
const ackedOrAbandoned = () => {
  const done = new Set([...sim.ledger.mosAcked.map((a) => a.message_id), ...sim.ledger.abandoned.map((a) => a.message_id)]);
  return moIds.every((id) => done.has(id));
};
await waitFor(ackedOrAbandoned, 120_000, "every MO acknowledged").catch((e: Error) => console.log(e.message));
clearInterval(ticker);
clearInterval(sampler);
const last = sample();

// ---- audit ----
const failures: string[] = [];
const events: Event[] = [];
try {
  for (let after = 0; ; ) {
    const r = await fetch(`${coreUrl}/v1/events?after=${after}&limit=1000`, { headers: auth });
    const j = (await r.json()) as { events: { cursor: number; event: Event }[]; next: number };
    events.push(...j.events.map((e) => e.event));
    if (j.events.length < 1000) break;
    after = j.next;
  }
} catch (e) {
  failures.push(`the core's events could not be read: ${String(e)}`);
}
const mosByText = new Map<string, { all: number; flagged: number }>();
for (const e of events) {
  if (e.type !== "message.received") continue;
  const m = mosByText.get(e.data.text) ?? { all: 0, flagged: 0 };
  m.all++;
  if ((e.data as { possibleDuplicate?: boolean }).possibleDuplicate) m.flagged++;
  mosByText.set(e.data.text, m);
}
let moOnce = 0;
let moLost = 0;
let moDoubled = 0;
const abandoned = new Set(sim.ledger.abandoned.map((a) => a.message_id));
for (const [text, sent] of moTexts) {
  const got = mosByText.get(text) ?? { all: 0, flagged: 0 };
  const unflagged = got.all - got.flagged;
  if (got.all < sent.count && !sent.ids.some((id) => abandoned.has(id))) moLost += sent.count - got.all;
  else if (unflagged > sent.count) moDoubled += unflagged - sent.count;
  else moOnce += sent.count;
}
for (const s of scenarios) {
  const acked = s.ackedMoTexts?.();
  if (!acked) continue;
  let missing = 0;
  for (const t of acked) if (!mosByText.has(t)) missing++;
  if (missing) failures.push(`${s.name}: ${missing} of ${acked.size} acknowledged MOs never stored`);
}
if (moLost) failures.push(`${moLost} MOs acknowledged to the SMSC and never stored`);
if (moDoubled) failures.push(`${moDoubled} MOs stored twice without possibleDuplicate`);

const byTo = new Map<string, number>();
for (const a of sim.ledger.mtAccepted) byTo.set(a.to, (byTo.get(a.to) ?? 0) + 1);
const hostileTo = new Set(scenarios.flatMap((s) => [...(s.acceptedTo?.() ?? [])]));
const count = (c: MtClass) => mts.filter((m) => m.cls === c).length;
let misreported = 0;
for (const m of mts) {
  const atSim = byTo.get(m.to) ?? 0;
  const reached = atSim > 0 || hostileTo.has(m.to);
  if (m.cls === "accepted" && !reached) misreported++; // "accepted" that no SMSC took
  if (m.cls === "accepted" && atSim > 0 && atSim < m.segments && !hostileTo.has(m.to)) misreported++; // "accepted" with segments missing
  if (m.cls === "rejected" && atSim > 0) misreported++; // "rejected" while the SMSC took (some of) it
}
if (misreported) failures.push(`${misreported} MTs misreported (accepted but not taken, or rejected but taken)`);
const invalid = mts.filter((m) => m.status === 400).length;
if (invalid) failures.push(`${invalid} MTs of the soak's own traffic refused as invalid (400): the run is not testing sends`);
if (coreExit !== null) failures.push(`the core process exited (code ${coreExit})`);
for (const s of scenarios) for (const f of s.failures?.() ?? []) failures.push(`${s.name}: ${f}`);

console.log(`\n== soak report (${((Date.now() - t0) / 60_000).toFixed(1)} min) ==`);
console.log(`MTs sent ${mts.length}: accepted ${count("accepted")}, unknown ${count("unknown")}, rejected ${count("rejected")}, partial ${count("partial")}, no answer ${count("no_answer")}; misreported ${misreported}`);
const reasons = new Map<string, number>();
for (const m of mts) if (m.cls === "rejected" || m.cls === "unknown" || m.cls === "no_answer") {
  const o = m.body?.outcome ?? m.body;
  const why = `${m.cls} ${m.status ?? "-"} ${m.body?.type ?? ""} ${String(o?.reason ?? m.body?.detail ?? "").replace(/\d+/g, "N").slice(0, 90)}`;
  reasons.set(why, (reasons.get(why) ?? 0) + 1);
}
for (const [why, n] of [...reasons].sort((x, y) => y[1] - x[1]).slice(0, 6)) console.log(`  ${n} × ${why}`);
console.log(`MOs injected ${moSeq} (${moTexts.size} distinct texts): stored once ${moOnce}, lost ${moLost}, doubled ${moDoubled}, given up by the SMSC ${abandoned.size}, redeliveries ${sim.ledger.redeliveries.length}`);
console.log(`core: peak RSS ${(peak.rss / 2 ** 20).toFixed(0)} MB, peak file handles ${peak.fds}, at the end ${(last.rss / 2 ** 20).toFixed(0)} MB / ${last.fds} fds, ${coreExit === null ? "still running" : `exited ${coreExit}`}`);
for (const s of scenarios) {
  const r = s.report?.();
  if (r) console.log(`[${s.name}] ${Object.entries(r).map(([k, v]) => `${k} ${v}`).join(", ")}`);
}
console.log(failures.length ? `\nFAILED:\n${failures.map((f) => `  - ${f}`).join("\n")}` : "\nnothing lost, nothing misreported");

core.kill("SIGTERM");
await Promise.race([core.exited, Bun.sleep(25_000)]);
for (const s of scenarios) await s.stop?.().catch(() => undefined);
await sim.stop();
if (!failures.length) rmSync(dir, { recursive: true, force: true });
else console.log(`core logs kept in ${dir}`);
process.exit(failures.length ? 1 : 0);

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const p = l.port;
  l.stop(true);
  return p;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await Bun.sleep(50);
  }
}

/**
 * `npm run demo`: traffic as a user makes it, against a running `npm start`. MTs through the edge (HTTP path)
 * and through the core (SMPP path), MOs injected at the simulator (via SMPP and via HTTP), receipts coming
 * back to the webhook; a third of the way in one site goes down, two thirds in it comes back. Shows live
 * progress, then audits the simulator's ledger against the API's answers and the webhook receiver: was
 * anything lost or doubled? Exit code 0 when nothing was.
 *   bun tools/demo/demo.ts [--duration=40] [--rate=5] [--mo-rate=2] [--site=dc3] [--deno] [--floor-ms=30000]
 *     [--edge-url=…] [--core-url=…] [--control-url=…] [--receiver-url=…] [--edge-key=dev-key] [--core-token=dev-token]
 */
import { audit, formatReport, type SeenEvent } from "./audit.ts";
import { REALISTIC_RECEIPTS, type LedgerSnapshot } from "../../sim/index.ts";
import { Traffic } from "./traffic.ts";

const flag = (name: string, dflt: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const num = (name: string, dflt: number) => {
  const v = Number(flag(name, String(dflt)));
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} must be a positive number`);
    process.exit(2);
  }
  return v;
};
const deno = process.argv.includes("--deno");
const durationMs = num("duration", 40) * 1000;
const rate = num("rate", 5);
const moRate = num("mo-rate", 2);
const site = flag("site", "dc3");
const floorMs = num("floor-ms", 30_000);
const ep = {
  edgeUrl: flag("edge-url", `http://127.0.0.1:${deno ? 8788 : 8787}`),
  edgeKey: flag("edge-key", "dev-key"),
  coreUrl: flag("core-url", "http://127.0.0.1:8080"),
  coreToken: flag("core-token", "dev-token"),
  controlUrl: flag("control-url", "http://127.0.0.1:8700"),
};
const receiverUrl = flag("receiver-url", "http://127.0.0.1:8090");
const tty = process.stdout.isTTY;
const say = (l: string) => process.stdout.write(`${tty ? "\r\x1b[K" : ""}${l}\n`);

async function up(name: string, url: string): Promise<boolean> {
  const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
  if (!ok) say(`✗ ${name} is not answering at ${url}`);
  return ok;
}
const checks = await Promise.all([
  up("simulator", `${ep.controlUrl}/health`), up("edge", `${ep.edgeUrl}/v1/health`),
  up("core", `${ep.coreUrl}/readyz`), up("webhook receiver", `${receiverUrl}/health`),
]);
if (!checks.every(Boolean)) {
  say(`Start the gateway first: npm start${deno ? " -- --deno" : ""}  (then run the demo in another terminal)`);
  process.exit(2);
}

// HTTP MOs and receipts go to the edge this demo drives (`npm start` points the simulator there already).
const callbackUrl = `${ep.edgeUrl}/v1/genesys/callback/${flag("callback-secret", "dev-callback")}`;
// Receipts as a live carrier sends them (failures, ENROUTE before and after the final, free text), so the
// audit's check of every MT's final state at GET /v1/messages/:id has something to tell apart.
await fetch(`${ep.controlUrl}/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ callbackUrl, receipts: REALISTIC_RECEIPTS }) });

const runId = `d${Date.now().toString(36)}`;
const traffic = new Traffic(ep, { runId });
let faultId: string | undefined;
let faultState = `${site} up`;
async function siteDown(): Promise<void> {
  const r = await fetch(`${ep.controlUrl}/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ target: site, kind: "down" }) });
  faultId = ((await r.json()) as { id: string }).id;
  faultState = `${site} DOWN`;
}
async function siteBack(): Promise<void> {
  if (!faultId) return;
  const id = faultId;
  faultId = undefined;
  await fetch(`${ep.controlUrl}/faults/${id}`, { method: "DELETE" }).catch(() => undefined);
  faultState = `${site} back`;
}
process.on("SIGINT", () => void siteBack().finally(() => process.exit(130))); // never leave the site down

async function webhookCounts(): Promise<Record<string, number>> {
  const j = (await fetch(`${receiverUrl}/events`).then((r) => r.json(), () => ({}))) as { byType?: Record<string, number> };
  return j.byType ?? {};
}
const base = await webhookCounts();
const delta = (now: Record<string, number>, k: string) => (now[k] ?? 0) - (base[k] ?? 0);

say(`demo: ${durationMs / 1000} s, ${rate} MT/s through the edge (${ep.edgeUrl}) and ${rate} MT/s through the core (${ep.coreUrl}), ${moRate} MO/s; ${site} goes down at ${Math.round(durationMs * 0.35 / 1000)} s, back at ${Math.round(durationMs * 0.65 / 1000)} s`);
const since = Date.now();
const pending = new Set<Promise<unknown>>();
const track = (p: Promise<unknown>) => (pending.add(p), void p.finally(() => pending.delete(p)));
let mtDue = 0, moDue = 0, lastShow = 0, wh: Record<string, number> = {};
const show = () => {
  const t = traffic.totals();
  const sites = (s: Record<string, number>) => Object.entries(s).map(([k, v]) => `${k} ${v}`).join(" / ");
  const line = `${((Date.now() - since) / 1000).toFixed(0).padStart(3)}s [${faultState}]  edge: sent ${t.edge.sent} accepted ${t.edge.accepted} failed over ${t.edge.failedOver} rejected ${t.edge.rejected} unknown ${t.edge.unknown}` +
    ` │ core: sent ${t.core.sent} accepted ${t.core.accepted} (${sites(t.core.bySite)}) │ MOs ${t.mos} │ webhook: MOs ${delta(wh, "message.received")} receipts ${delta(wh, "message.status")}`;
  process.stdout.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
};
while (Date.now() - since < durationMs) {
  const elapsed = Date.now() - since;
  if (elapsed >= durationMs * 0.35 && faultState === `${site} up`) {
    await siteDown();
    say(`▼ ${(elapsed / 1000).toFixed(1)}s  site ${site} taken down (HTTP receiver and both SMSC nodes refuse connections)`);
  }
  if (elapsed >= durationMs * 0.65 && faultId) {
    await siteBack();
    say(`▲ ${(elapsed / 1000).toFixed(1)}s  site ${site} back (the core rebinds no sooner than its floor after its last attempt)`);
  }
  for (; mtDue <= (elapsed * rate) / 1000 && traffic.inFlight < 200; mtDue++) track(traffic.sendMt("edge")), track(traffic.sendMt("core"));
  for (; moDue <= (elapsed * moRate) / 1000; moDue++) track(traffic.injectMo(moDue % 2 ? "http" : "smpp"));
  if (elapsed - lastShow >= (tty ? 250 : 5_000)) {
    lastShow = elapsed;
    void webhookCounts().then((c) => (wh = c));
    show();
  }
  await Bun.sleep(10);
}
await Promise.all(pending);
await siteBack();
show();
say("");

// Settle: MOs and receipts still in flight (redeliveries, callback retries) get up to 30 s to arrive.
async function report() {
  const [ledger, rec] = await Promise.all([
    fetch(`${ep.controlUrl}/ledger`).then((r) => r.json()) as Promise<LedgerSnapshot>,
    fetch(`${receiverUrl}/events?all=1`).then((r) => r.json()) as Promise<{ events: SeenEvent[]; redelivered: number; badSignatures: number }>,
  ]);
  return audit({ mts: traffic.mts, mos: traffic.mos, ledger, events: rec.events, receiver: rec, since, rebindFloorMs: floorMs, runId, statuses: await traffic.statuses() });
}
let r = await report();
for (const end = Date.now() + 30_000; r.missing > 0 && Date.now() < end; ) {
  process.stdout.write(`${tty ? "\r\x1b[K" : ""}waiting for ${r.missing} MOs/receipts still on their way (or final states not reached yet)…${tty ? "" : "\n"}`);
  await Bun.sleep(500);
  r = await report();
}
if (tty) process.stdout.write("\r\x1b[K");

const binds = (await fetch(`${ep.coreUrl}/status.json`).then((x) => x.json(), () => ({ binds: [] }))) as { binds: { node: string; state: string; nextAttemptAt?: number }[] };
say("\n── summary ──");
for (const l of formatReport(r)) say(l);
say(`\ncore binds now: ${binds.binds.map((b) => `${b.node} ${b.state}${b.nextAttemptAt ? ` (rebind in ${Math.max(0, Math.round((b.nextAttemptAt - Date.now()) / 1000))} s)` : ""}`).join(", ")}`);
say(r.ok ? "\n✓ Nothing lost, nothing doubled." : `\n✗ Something was lost or doubled: ${r.checks.filter((c) => !c.ok).map((c) => c.name).join("; ")}`);
process.exit(r.ok ? 0 : 1);

/**
 * The core's live status page (`GET /`) and its data (`GET /status.json`): sites, nodes, each bind's state
 * with the time of its next rebind, the MT rate and recent inbound events. Counts and states only: no
 * message bodies, numbers or secrets, so it needs no token.
 */
import type { Hono } from "hono";
import type { Clock, Topology } from "../../contract/index.ts";
import type { RecentActivity } from "../platform/activity.ts";
import type { BindsView } from "./types.ts";

export function statusRoutes(app: Hono, deps: { binds: BindsView; activity: RecentActivity; topology: Topology; rebindFloorMs: number; clock: Clock }): void {
  app.get("/status.json", (c) =>
    c.json({
      sites: deps.topology.sites.map((s) => ({ name: s.name, nodes: deps.topology.smscNodes.filter((n) => n.site === s.name).map((n) => n.name) })),
      binds: deps.binds.list(),
      mt: { perSecond: deps.activity.mtRate(), totals: deps.activity.totals },
      recent: deps.activity.recent(),
      rebindFloorMs: deps.rebindFloorMs,
      now: deps.clock.now(),
    }),
  );
  app.get("/", (c) => c.html(PAGE));
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>genesys-sms-ha core</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d2330;background:#f6f7f9}
 h1{font-size:1.3rem;margin:0 0 .2rem} .sub{color:#5b6475;margin-bottom:1.2rem}
 .sites{display:flex;gap:1rem;flex-wrap:wrap} .site{background:#fff;border-radius:8px;padding:1rem;min-width:320px;box-shadow:0 1px 3px #0002}
 .site h2{font-size:1rem;margin:0 0 .6rem} table{border-collapse:collapse;width:100%} td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee}
 .state{font-weight:600;padding:.1rem .45rem;border-radius:4px} .bound{background:#d9f5e1;color:#146c2e} .backoff{background:#fde2e1;color:#a4161a}
 .connecting,.unbinding,.idle,.stopped{background:#fff3cd;color:#7a5a00}
 .stats{display:flex;gap:1.5rem;margin:1.2rem 0} .stat b{display:block;font-size:1.4rem}
 #recent td{font-family:ui-monospace,monospace;font-size:12px}
</style></head><body>
<h1>genesys-sms-ha core</h1><div class="sub">one SMPP bind per SMSC node · MTs over active binds only · rebind ≥ <span id="floor">30</span> s apart · live</div>
<div class="sites" id="sites"></div>
<div class="stats" id="stats"></div>
<h2 style="font-size:1rem">Recent inbound</h2><table id="recent"></table>
<script>
const fmtAgo = (t, now) => { const s = Math.round((now - t) / 1000); return s < 60 ? s + " s" : Math.round(s / 60) + " min"; };
async function tick() {
  try {
    const r = await fetch("/status.json"); const d = await r.json();
    document.getElementById("floor").textContent = String(d.rebindFloorMs / 1000);
    document.getElementById("sites").innerHTML = d.sites.map(s => '<div class="site" data-site="' + s.name + '"><h2>' + s.name + '</h2><table><tr><th>node</th><th>state</th><th></th><th>in flight</th></tr>' +
      d.binds.filter(b => b.site === s.name).map(b => '<tr data-node="' + b.node + '"><td>' + b.node + '</td><td><span class="state ' + b.state + '">' + b.state + '</span></td><td>' +
        (b.state === "backoff" && b.nextAttemptAt ? "rebind in " + Math.max(0, Math.round((b.nextAttemptAt - d.now) / 1000)) + " s" : b.since ? "for " + fmtAgo(b.since, d.now) : "") +
        '</td><td>' + b.inFlight + '</td></tr>').join("") + '</table></div>').join("");
    const t = d.mt.totals;
    document.getElementById("stats").innerHTML = [["MT/s (1 min)", d.mt.perSecond.toFixed(1)], ["accepted", t.accepted], ["rejected", t.rejected], ["unknown", t.unknown], ["MOs", t.mo], ["receipts", t.receipt], ["duplicates dropped", t.duplicate]]
      .map(([k, v]) => '<div class="stat"><b>' + v + '</b>' + k + '</div>').join("");
    document.getElementById("recent").innerHTML = '<tr><th>when</th><th>kind</th><th>node</th><th>outcome</th></tr>' + d.recent.slice(0, 15).map(e => '<tr><td>' + fmtAgo(e.at, d.now) + ' ago</td><td>' + e.kind + '</td><td>' + e.node + '</td><td>' + e.outcome + '</td></tr>').join("");
  } catch (e) { document.querySelector(".sub").textContent = "core unreachable: " + e; }
}
tick(); setInterval(tick, 1000);
</script></body></html>`;

/** GET /: a small, self-contained live status page (no CDN): it polls /v1/health every second. */

export const STATUS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Genesys SMS edge: site health</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;min-width:40rem}
th,td{text-align:left;padding:.4rem .8rem;border-bottom:1px solid #ddd}.up{color:#0a7a2f}.down{color:#b00020}
.trial{color:#a65e00}#at{color:#666;font-size:.9em}
</style></head><body>
<h1>Genesys sites, as this edge sees them</h1>
<p id="summary">loading…</p>
<table><thead><tr><th>site</th><th>state</th><th>since</th><th>until</th><th>latency</th><th>last error</th><th>from</th></tr></thead>
<tbody id="sites"></tbody></table>
<p id="at"></p>
<script>
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (ch) => "&#" + ch.charCodeAt(0) + ";");
const t = (iso) => iso ? new Date(iso).toLocaleTimeString() : "";
async function tick() {
  try {
    const h = await (await fetch("v1/health", { cache: "no-store" })).json();
    document.getElementById("summary").textContent = "overall: " + h.status;
    document.getElementById("sites").innerHTML = h.sites.map((s) =>
      "<tr><td>" + esc(s.site) + "</td><td class=" + esc(s.state) + ">" + esc(s.state) + "</td><td>" + t(s.since) +
      "</td><td>" + t(s.until) + "</td><td>" + (s.latencyMs == null ? "" : esc(s.latencyMs) + " ms") +
      "</td><td>" + esc(s.lastError) + "</td><td>" + esc(s.source) + "</td></tr>").join("");
    document.getElementById("at").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("summary").textContent = "edge unreachable: " + e;
  }
}
tick(); setInterval(tick, 1000);
</script></body></html>`;

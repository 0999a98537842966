/**
 * The wired core from a config: an event posted to /v1/events over a real socket reaches a real webhook
 * receiver, signed, and the metrics count it. The SMSC nodes point at a port nothing listens on (port 1):
 * the binds stay in backoff, which this test does not look at.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCoreConfig } from "../../core/config.ts";
import { serveCore } from "../../core/http/serve.ts";
import { startGateway } from "../../core/gateway.ts";
import { createLogger } from "../../core/platform/log.ts";
import { verifyWebhook } from "../../core/delivery/webhook.ts";
import { mo } from "./helpers/events.ts";
import { startReceiver } from "./helpers/receiver.ts";

test("config → gateway → POST /v1/events → webhook delivery, counted in /metrics", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gsh-svc-"));
  const rx = startReceiver();
  const raw = JSON.parse(readFileSync(join(import.meta.dir, "../../core/local.config.json"), "utf8"));
  for (const n of raw.topology.smscNodes) n.port = 1;
  const cfg = parseCoreConfig(raw, { GSH_STORE_URL: `sqlite://${join(dir, "core.sqlite")}`, GSH_WEBHOOK_URL: rx.url, GSH_HTTP_PORT: "0" });
  const core = await startGateway(cfg, { log: createLogger({ level: "error", write: () => undefined }) });
  const server = serveCore(core.app, { port: 0 });
  try {
    const e = await mo("wired");
    const r = await fetch(`http://127.0.0.1:${server.port}/v1/events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${cfg.http.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(e),
    });
    expect(r.status).toBe(201);
    const deadline = Date.now() + 3_000;
    while (rx.received.length === 0 && Date.now() < deadline) await Bun.sleep(5);
    const got = rx.received[0]!;
    expect(got.headers.get("idempotency-key")).toBe(e.id);
    expect(await verifyWebhook(cfg.webhook.secret, { signature: got.headers.get("x-signature"), timestamp: got.headers.get("x-signature-timestamp") }, got.body, Date.now())).toBe(true);
    await Bun.sleep(20); // the settle after the 200
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(metrics).toContain('gsh_webhook_deliveries_total{result="delivered"} 1');
    expect(metrics).toContain("gsh_events_stored_total 1");
  } finally {
    server.stop(true);
    rx.stop();
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

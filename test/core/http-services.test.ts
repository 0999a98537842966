/**
 * The wired core services from a config: an event posted to /v1/events over a real socket reaches a real
 * webhook receiver, signed, and the metrics count it. MtSender / BindsView are the simple fakes.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCoreConfig } from "../../core/config.ts";
import { serveCore } from "../../core/http/serve.ts";
import { openCoreServices } from "../../core/services.ts";
import { verifyWebhook } from "../../core/delivery/webhook.ts";
import { FakeBinds, FakeSender } from "./helpers/core-app.ts";
import { mo } from "./helpers/events.ts";
import { startReceiver } from "./helpers/receiver.ts";

test("config → services → POST /v1/events → webhook delivery, counted in /metrics", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gsh-svc-"));
  const rx = startReceiver();
  const raw = JSON.parse(readFileSync(join(import.meta.dir, "../../core/local.config.json"), "utf8"));
  const cfg = parseCoreConfig(raw, { GSH_STORE_URL: `sqlite://${join(dir, "core.sqlite")}`, GSH_WEBHOOK_URL: rx.url, GSH_HTTP_PORT: "0" });
  const core = await openCoreServices(cfg);
  const server = serveCore(core.createApp({ sender: new FakeSender(), binds: new FakeBinds() }), { port: 0 });
  core.start();
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
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The durable and HTTP side of the core, wired from the config: store, inbox, correlation (with its sweep),
 * outbox (when a webhook URL is configured), metrics, and the HTTP app factory. The entry point adds the
 * SMPP binds and the MT router (as `MtSender` / `BindsView`) and serves the app.
 */
import type { Hono } from "hono";
import { systemClock, type Clock } from "../contract/index.ts";
import type { CoreConfig } from "./config.ts";
import { Correlation } from "./inbound/correlation.ts";
import { createCoreApp, type BindsView, type MtSender } from "./http/app.ts";
import { Inbox } from "./inbound/inbox.ts";
import { MoParts } from "./inbound/mo-parts.ts";
import type { Logger } from "./platform/log.ts";
import { createCoreMetrics, type CoreMetrics } from "./platform/metrics.ts";
import { Outbox } from "./delivery/outbox.ts";
import { Retention } from "./store/retention.ts";
import { openStore, type Store } from "./store/store.ts";
import { Wakeup } from "./platform/wakeup.ts";
import { WebhookClient } from "./delivery/webhook.ts";

export interface CoreServices {
  readonly store: Store;
  readonly inbox: Inbox;
  readonly correlation: Correlation;
  /** Parts of concatenated MOs, until their group is whole. */
  readonly moParts: MoParts;
  /** Undefined when no webhook URL is configured (pull only). */
  readonly outbox: Outbox | undefined;
  readonly metrics: CoreMetrics;
  readonly wakeup: Wakeup;
  /** This core's id in the store (outbox leases, MT claims); unique per process. */
  readonly owner: string;
  /** The HTTP app, given the MT sender and the bind view. */
  createApp(parts: { sender: MtSender; binds: BindsView }): Hono;
  /** Starts the correlation and MO parts sweeps and the outbox. */
  start(): void;
  /** Stops them (the outbox's current round settles) and closes the store. */
  close(): Promise<void>;
}

export interface CoreServicesOptions {
  readonly log?: Logger;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  /** This core's id in the store (outbox leases, MT claims): unique per process (default host-pid-random). */
  readonly owner?: string;
}

export async function openCoreServices(cfg: CoreConfig, opts: CoreServicesOptions = {}): Promise<CoreServices> {
  const clock = opts.clock ?? systemClock;
  const hook = cfg.webhook;
  const store = await openStore(cfg.store.url, { ...(cfg.store.schema && { schema: cfg.store.schema }), outbox: hook.url !== undefined });
  const wakeup = new Wakeup();
  const metrics = createCoreMetrics({ backlog: () => store.outboxBacklog() });
  const inbox = new Inbox(store, {
    maxBatch: cfg.inbox.maxBatch,
    now: () => clock.now(),
    wakeup,
    onResult: (stored, dups) => {
      metrics.eventsStored.inc(stored);
      if (dups) metrics.dedupHits.inc({ path: "inbox" }, dups);
    },
  });
  const correlation = new Correlation({
    store,
    inbox,
    clock,
    wakeup,
    parkLimitMs: cfg.inbox.parkLimitMs,
    onDuplicate: () => metrics.dedupHits.inc({ path: "parked" }),
  });
  const moParts = new MoParts({
    store,
    clock,
    wakeup,
    limitMs: cfg.inbox.partsLimitMs,
    dedupWindowMs: cfg.inbox.moDedupWindowMs,
    ...(opts.log && { log: opts.log }),
    onResult: (r, how) => {
      if (r.outcome === "duplicate") metrics.dedupHits.inc({ path: "mo_part" });
      if (r.outcome !== "completed") return;
      metrics.moGroups.inc({ outcome: how === "part" ? "completed" : "incomplete" });
      if (r.stored) metrics.eventsStored.inc();
      else metrics.dedupHits.inc({ path: "mo_content" });
    },
  });
  const retentionMs = cfg.store.retentionDays * 86_400_000;
  const retention = retentionMs > 0
    ? new Retention({ store, clock, retentionMs, onPruned: (n) => opts.log?.info("retention: pruned old rows", n) })
    : undefined;
  const owner = opts.owner ?? `${process.env.HOSTNAME ?? "core"}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const outbox =
    hook.url === undefined
      ? undefined
      : new Outbox({
          store,
          owner,
          clock,
          wakeup,
          webhook: new WebhookClient({ url: hook.url, secret: hook.secret, timeoutMs: hook.timeoutMs, clock, ...(opts.fetch && { fetch: opts.fetch }) }),
          retry: { baseMs: hook.baseMs, capMs: hook.capMs, maxAttempts: hook.maxAttempts },
          leaseMs: hook.leaseMs,
          onResult: (result, d) => {
            metrics.webhookDeliveries.inc({ result });
            if (result === "dead") opts.log?.warn("webhook delivery dead-lettered", { eventId: d.event.id, attempts: d.attempts + 1 });
          },
        });
  return {
    store,
    inbox,
    correlation,
    moParts,
    outbox,
    metrics,
    wakeup,
    owner,
    createApp: ({ sender, binds }) =>
      createCoreApp({ token: cfg.http.token, bodyLimitBytes: cfg.http.bodyLimitBytes, store, inbox, sender, binds, metrics, clock, wakeup, ...(opts.log && { log: opts.log }) }),
    start() {
      correlation.start();
      moParts.start();
      outbox?.start();
      retention?.start();
    },
    async close() {
      correlation.stop();
      moParts.stop();
      retention?.stop();
      await outbox?.stop();
      await store.close();
    },
  };
}

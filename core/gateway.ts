/**
 * The core, wired: the store and the durable parts on it (inbox, correlation, MO parts, outbox, retention),
 * one SMPP bind per SMSC node, the inbound dispatcher behind every bind, the MT router over the active binds,
 * and the HTTP app. Wiring only: each part decides in its own module, and this file decides what to log and
 * count from their events. `main.ts` reads the config and calls this; tests call it with their own clock,
 * ports and store.
 */
import { hostname } from "node:os";
import type { Hono } from "hono";
import { systemClock, type Clock } from "../contract/index.ts";
import { BindManager } from "./binds/bind-manager.ts";
import { smppConnector } from "./binds/smpp-connector.ts";
import type { CoreConfig } from "./config.ts";
import { Outbox } from "./delivery/outbox.ts";
import { WebhookClient } from "./delivery/webhook.ts";
import { createCoreApp } from "./http/app.ts";
import { SendLog } from "./outbound/send-log.ts";
import { bindsView } from "./http/binds-view.ts";
import { statusRoutes } from "./http/status.ts";
import { Correlation } from "./inbound/correlation.ts";
import { InboundDispatcher } from "./inbound/dispatcher.ts";
import { Inbox } from "./inbound/inbox.ts";
import { MoParts } from "./inbound/mo-parts.ts";
import { MtRouter } from "./outbound/mt-router.ts";
import { CoreMtSender } from "./outbound/mt-sender.ts";
import { SendOnce, storeRecorder } from "./outbound/send-once.ts";
import { GENESYS_DATA_CODINGS } from "./outbound/segments.ts";
import { RecentActivity } from "./platform/activity.ts";
import type { Logger } from "./platform/log.ts";
import { createCoreMetrics, setBindState, type CoreMetrics } from "./platform/metrics.ts";
import { Wakeup } from "./platform/wakeup.ts";
import type { SessionOptions } from "./smpp/index.ts";
import { Retention } from "./store/retention.ts";
import { openStore, type Store } from "./store/store.ts";

export interface GatewayOptions {
  log: Logger;
  clock?: Clock;
  /** The bind manager's clock (rebind floor and jitter), when it must differ from `clock`: tests drive the
   * 30 s floor with a ManualClock while the store, outbox, router and SMPP sessions run on real time. */
  bindClock?: Clock;
  /** The MT router's clock (throttle pauses, slot waits), when it must differ from `clock`: tests drive a
   * throttled node's 1 s pause with a ManualClock. */
  routerClock?: Clock;
  random?: () => number;
  fetch?: typeof fetch;
  /** Extra SMPP session options (e.g. a session clock in tests). */
  session?: Partial<SessionOptions>;
  /** This core's id in the store (outbox leases, MT claims): unique per process (default host-pid-random). */
  owner?: string;
  /**
   * This core's name across restarts (default: the host name): its last bind attempt per node is kept in the
   * store under it, so the same core restarted waits out the rebind floor from the previous process's attempt.
   */
  instance?: string;
}

export interface Gateway {
  readonly store: Store;
  readonly inbox: Inbox;
  readonly correlation: Correlation;
  /** Parts of concatenated MOs, until their group is whole. */
  readonly moParts: MoParts;
  /** Undefined when no webhook URL is configured (pull only). */
  readonly outbox: Outbox | undefined;
  readonly metrics: CoreMetrics;
  readonly owner: string;
  readonly binds: BindManager;
  readonly router: MtRouter;
  /** What POST /v1/messages calls: SendOnce, then the router. */
  readonly sender: CoreMtSender;
  readonly inbound: InboundDispatcher;
  readonly app: Hono;
  readonly activity: RecentActivity;
  /** Stop taking MTs, drain (bounded), unbind every node, stop the sweeps and the outbox, close the store. */
  stop(): Promise<void>;
}

/** After this long a core's claim on an MT id is taken to be a crash's leftover (outbound/send-once.ts). */
const MT_CLAIM_STALE_MS = 10 * 60_000;

export async function startGateway(cfg: CoreConfig, opts: GatewayOptions): Promise<Gateway> {
  const { log } = opts;
  const clock = opts.clock ?? systemClock;
  const hook = cfg.webhook;
  const owner = opts.owner ?? `${process.env.HOSTNAME ?? "core"}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const instance = opts.instance ?? process.env.HOSTNAME ?? hostname();
  const store = await openStore(cfg.store.url, {
    ...(cfg.store.schema && { schema: cfg.store.schema }),
    outbox: hook.url !== undefined,
    sqliteSynchronous: cfg.store.sqliteSynchronous,
    sqliteCacheMiB: cfg.store.sqliteCacheMiB,
    log,
  });
  const wakeup = new Wakeup();
  const metrics = createCoreMetrics({ backlog: () => store.outboxBacklog() });
  const activity = new RecentActivity(clock);

  const inbox = new Inbox(store, { maxBatch: cfg.inbox.maxBatch, clock, wakeup });
  inbox.on("committed", ({ stored, duplicates }) => {
    metrics.eventsStored.inc(stored);
    if (duplicates) metrics.dedupHits.inc({ path: "inbox" }, duplicates);
  });
  const sendLog = new SendLog(store, clock, cfg.inbox.maxBatch);
  const correlation = new Correlation({ store, inbox, clock, wakeup, parkLimitMs: cfg.inbox.parkLimitMs });
  correlation.on("parkedDuplicate", () => metrics.dedupHits.inc({ path: "parked" }));
  const moParts = new MoParts({ store, clock, wakeup, limitMs: cfg.inbox.partsLimitMs, dedupWindowMs: cfg.inbox.moDedupWindowMs, log });
  moParts.on("result", ({ result: r, how }) => {
    if (r.outcome === "duplicate") metrics.dedupHits.inc({ path: "mo_part" });
    if (r.outcome !== "completed") return;
    metrics.moGroups.inc({ outcome: how === "part" ? "completed" : "incomplete" });
    if (r.stored) metrics.eventsStored.inc();
    else metrics.dedupHits.inc({ path: "mo_content" });
    if (r.possibleDuplicateOf && how === "incomplete") metrics.possibleDuplicates.inc(); // a part's: counted by the dispatcher
  });
  const retentionMs = cfg.store.retentionDays * 86_400_000;
  const retention = retentionMs > 0 ? new Retention({ store, clock, retentionMs }) : undefined;
  retention?.on("pruned", (n) => log.info("retention: pruned old rows", n));
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
          batch: hook.concurrency,
          deadRetry: { everyMs: hook.deadRetryMs, batch: hook.deadRetryBatch },
        });
  outbox?.on("delivery", ({ result, delivery: d }) => {
    metrics.webhookDeliveries.inc({ result });
    if (result === "dead") log.warn("webhook delivery dead-lettered", { eventId: d.event.id, attempts: d.attempts + 1 });
  });

  const inbound = new InboundDispatcher({ correlation, moParts, inbox, clock, moDedupWindowMs: cfg.inbox.moDedupWindowMs, smscAckTimeoutMs: cfg.inbox.smscAckTimeoutMs });
  inbound.on("unusable", (e) => log.warn("deliver_sm not usable: answered ESME_RX_P_APPN", e));
  inbound.on("handled", (e) => activity.inbound(e.kind, e.node, e.outcome));
  inbound.on("redelivery", () => metrics.dedupHits.inc({ path: "mo_content" }));
  inbound.on("possibleDuplicate", () => metrics.possibleDuplicates.inc());

  const binds = new BindManager({
    nodes: cfg.topology.smscNodes,
    policy: { floorMs: cfg.binds.rebindFloorMs, jitterMs: cfg.binds.rebindJitterMs },
    clock: opts.bindClock ?? clock,
    ...(opts.random && { random: opts.random }),
    attemptLog: {
      last: (node) => store.lastBindAttempt(node, instance),
      record: (node, at) => store.recordBindAttempt(node, instance, at),
    },
    onAttemptLogError: (e) => log.warn("bind attempt not recorded in the store", { error: String(e) }),
    connector: smppConnector({
      systemId: cfg.genesys.login,
      password: cfg.genesys.password,
      mode: cfg.binds.mode,
      window: cfg.binds.window,
      responseTimeoutMs: cfg.binds.responseTimeoutMs,
      enquireLinkIdleMs: cfg.binds.enquireLinkMs,
      bindTimeoutMs: 10_000,
      unbindTimeoutMs: 5_000,
      drainMs: cfg.binds.drainMs,
      ...(cfg.binds.tlsCa !== undefined && { tlsCa: cfg.binds.tlsCa }),
      onDeliver: (node) => inbound.handler(node),
      session: {
        maxSubmitTimeouts: cfg.binds.maxSubmitTimeouts,
        maxUnansweredDelivers: cfg.binds.maxUnansweredDelivers,
        maxBacklogBytes: cfg.binds.maxBacklogBytes,
        ...(cfg.genesys.systemType && { systemType: cfg.genesys.systemType }),
        ...opts.session,
      },
    }),
  });
  const router = new MtRouter({ binds: () => binds.binds, clock: opts.routerClock ?? clock, codings: GENESYS_DATA_CODINGS, throttlePauseMs: 1_000, slotWaitMs: 2_000, maxWaiters: 10_000 });
  binds.on("state", ({ node, state, previous }) => {
    setBindState(metrics, node.name, node.site, state.kind);
    const fields = { node: node.name, from: previous.kind, to: state.kind, ...(state.kind === "backoff" && { error: state.lastError, nextAttemptAt: new Date(state.nextAttemptAt).toISOString() }) };
    if (state.kind === "backoff") log.warn("bind down", fields);
    else if (state.kind === "bound") log.info("bound", fields);
    else log.debug("bind state", fields);
    if (state.kind === "bound") router.notify();
  });
  binds.on("attempt", ({ node, attempt }) => {
    if (attempt > 1) metrics.rebinds.inc({ node: node.name });
  });
  router.on("submit", (e) => {
    metrics.submits.inc({ outcome: e.outcome });
    metrics.submitLatency.observe({ node: e.node }, e.ms / 1000);
    metrics.inFlight.set({ node: e.node }, e.inFlight);
  });
  // Other cores may share the store (store.mtClaims): one of them sends an id at a time. A claim outlives
  // any send (segments × (slot wait + response timeout)) before another core may take it over.
  const recorder = storeRecorder({ store, recordSubmit: (r) => correlation.recordSubmit(r), correlate: (op) => correlation.enqueue(op), clock, owner, claims: cfg.store.mtClaims, staleMs: MT_CLAIM_STALE_MS });
  const sender = new CoreMtSender({ once: new SendOnce({ recorder, clock }), router });
  sender.on("sent", (o) => activity.mt(o.status));
  const view = bindsView(binds);
  const app = createCoreApp({ token: cfg.http.token, ...(cfg.http.edgeToken !== undefined && { edgeToken: cfg.http.edgeToken }), bodyLimitBytes: cfg.http.bodyLimitBytes, maxStreams: cfg.http.maxStreams, ...(outbox && { deliveries: outbox }), store, inbox, sender, sendLog, binds: view, metrics, clock, wakeup, log });
  statusRoutes(app, { binds: view, activity, topology: cfg.topology, rebindFloorMs: cfg.binds.rebindFloorMs, clock });

  correlation.start();
  moParts.start();
  outbox?.start();
  retention?.start();
  binds.start();
  log.info("core started", { nodes: cfg.topology.smscNodes.map((n) => n.name), store: cfg.store.url.split(":")[0], mode: cfg.binds.mode });

  return {
    store, inbox, correlation, moParts, outbox, metrics, owner, binds, router, sender, inbound, app, activity,
    async stop() {
      sender.close();
      await binds.stop(); // each session drains its in-flight submits (bounded) before unbinding
      correlation.stop();
      moParts.stop();
      retention?.stop();
      await outbox?.stop();
      await store.close();
      log.info("core stopped");
    },
  };
}

/**
 * The core, assembled: durable services (store, inbox, correlation, outbox), one SMPP bind per SMSC node,
 * the MT router over the active binds, and the inbound path (deliver_sm → event → commit → deliver_sm_resp).
 * `main.ts` reads the config and calls this; tests call it with their own clock, ports and store.
 */
import type { Hono } from "hono";
import { makeEventWith, systemClock, type Clock, type EventSource, type OutboundMessage, type SendOutcome, type SmscNode } from "../contract/index.ts";
import { BindManager } from "./binds/bind-manager.ts";
import type { BindState } from "./binds/bind-state.ts";
import { smppConnector } from "./binds/smpp-connector.ts";
import type { CoreConfig } from "./config.ts";
import type { BindInfo, BindsView, MtSender } from "./http/types.ts";
import { statusRoutes } from "./http/status.ts";
import { decodeDeliver } from "./inbound/deliver-event.ts";
import type { Logger } from "./platform/log.ts";
import { setBindState } from "./platform/metrics.ts";
import { acceptContentMo, sha256hex } from "./inbound/mo-dedup.ts";
import { MtRouter } from "./outbound/mt-router.ts";
import { GENESYS_DATA_CODINGS } from "./outbound/segments.ts";
import { openCoreServices, type CoreServices } from "./services.ts";
import { Status, type DeliverHandler, type SessionOptions } from "./smpp/index.ts";
import { RecentActivity } from "./platform/activity.ts";

export interface GatewayOptions {
  log: Logger;
  clock?: Clock;
  /** The bind manager's clock (rebind floor and jitter), when it must differ from `clock`: tests drive the
   * 30 s floor with a ManualClock while the store, outbox, router and SMPP sessions run on real time. */
  bindClock?: Clock;
  random?: () => number;
  fetch?: typeof fetch;
  /** Extra SMPP session options (e.g. a session clock in tests). */
  session?: Partial<SessionOptions>;
  owner?: string;
}

export interface Gateway {
  readonly services: CoreServices;
  readonly binds: BindManager;
  readonly router: MtRouter;
  readonly app: Hono;
  readonly activity: RecentActivity;
  /** Stop taking MTs, drain (bounded), unbind every node, stop the outbox, close the store. */
  stop(): Promise<void>;
}

function bindInfo(b: ReturnType<BindManager["list"]>[number]): BindInfo {
  const s: BindState = b.state;
  return {
    node: b.node,
    site: b.site,
    state: s.kind,
    since: "since" in s ? s.since : 0,
    ...(s.kind === "backoff" && { nextAttemptAt: s.nextAttemptAt }),
    inFlight: b.inFlight,
  };
}

/** After this long a core's claim on an MT id is taken to be a crash's leftover (see MtRecorder.claim). */
const MT_CLAIM_STALE_MS = 10 * 60_000;

export async function startGateway(cfg: CoreConfig, opts: GatewayOptions): Promise<Gateway> {
  const { log } = opts;
  const clock = opts.clock ?? systemClock;
  const services = await openCoreServices(cfg, { log, clock, ...(opts.fetch && { fetch: opts.fetch }), ...(opts.owner && { owner: opts.owner }) });
  const { metrics, correlation, inbox, store } = services;
  const activity = new RecentActivity(clock);

  /** deliver_sm → event → committed → ESME_ROK. A store failure throws: the session answers a temporary error and the SMSC redelivers. */
  const onDeliver =
    (node: SmscNode): DeliverHandler =>
    async (pdu) => {
      const d = decodeDeliver(pdu);
      const source: EventSource = { channel: "smpp", site: node.site, node: node.name };
      const now = clock.now();
      if (d.kind === "invalid") {
        log.warn("deliver_sm not usable: answered ESME_RX_P_APPN", { node: node.name, reason: d.reason, sequence: pdu.sequence });
        return Status.ESME_RX_P_APPN;
      }
      if (d.kind === "receipt") {
        const r = await correlation.receipt(makeEventWith(sha256hex, "message.status", d.dedupKey, d.data, source, new Date(now)));
        activity.inbound("receipt", node.name, r.outcome);
      } else if (d.kind === "mo_part") {
        const r = await services.moParts.accept(d.part, source, now); // committed (and assembled when last) before the resp
        if (r.outcome === "completed") activity.inbound("mo", node.name, r.stored ? "stored" : "duplicate"); // one entry per MO, not per part
      } else {
        const r = await acceptContentMo({ inbox, onDuplicate: () => metrics.dedupHits.inc({ path: "mo_content" }) }, d.mo, source, now, cfg.inbox.moDedupWindowMs);
        activity.inbound("mo", node.name, r.stored ? "stored" : "duplicate");
      }
      return Status.ESME_ROK;
    };

  let router: MtRouter | undefined;
  const binds = new BindManager({
    nodes: cfg.topology.smscNodes,
    policy: { floorMs: cfg.binds.rebindFloorMs, jitterMs: cfg.binds.rebindJitterMs },
    clock: opts.bindClock ?? clock,
    ...(opts.random && { random: opts.random }),
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
      onDeliver,
      session: { ...(cfg.genesys.systemType && { systemType: cfg.genesys.systemType }), ...opts.session },
    }),
    events: {
      state: (node, state, previous) => {
        setBindState(metrics, node.name, node.site, state.kind);
        const fields = { node: node.name, from: previous.kind, to: state.kind, ...(state.kind === "backoff" && { error: state.lastError, nextAttemptAt: new Date(state.nextAttemptAt).toISOString() }) };
        if (state.kind === "backoff") log.warn("bind down", fields);
        else if (state.kind === "bound") log.info("bound", fields);
        else log.debug("bind state", fields);
        if (state.kind === "bound") router?.notify();
      },
      attempt: (node, _at, attempt) => {
        if (attempt > 1) metrics.rebinds.inc({ node: node.name });
      },
    },
  });

  router = new MtRouter({
    binds: () => binds.binds,
    clock,
    codings: GENESYS_DATA_CODINGS,
    throttlePauseMs: 1_000,
    slotWaitMs: 2_000,
    maxWaiters: 10_000,
    recorder: {
      recordSubmit: (r) => correlation.recordSubmit(r),
      findSubmit: async (id) => {
        const segs = await store.findSubmit(id);
        const last = segs.at(-1);
        return last ? { smscMessageIds: segs.map((s) => s.smscMessageId), node: last.node ?? "", site: last.site ?? "" } : undefined;
      },
      // Other cores may share the store: one of them sends an id at a time. A claim outlives any send
      // (segments × (slot wait + response timeout)) before another core may take it over.
      ...(cfg.store.mtClaims && {
        claim: (id: string) => correlation.claimMt(id, services.owner, MT_CLAIM_STALE_MS),
        release: (id: string) => store.releaseMt(id, services.owner),
      }),
    },
    onSubmit: (e) => {
      metrics.submits.inc({ outcome: e.outcome });
      metrics.submitLatency.observe({ node: e.node }, e.ms / 1000);
      metrics.inFlight.set({ node: e.node }, e.inFlight);
    },
  });

  let draining = false;
  const sender: MtSender = {
    async send(msg: OutboundMessage, messageId: string): Promise<SendOutcome> {
      if (draining) return { status: "rejected", messageId, attempts: [], reason: "the core is shutting down", retryAfterSeconds: 5 };
      const o = await router!.send(msg, messageId);
      activity.mt(o.status);
      return o;
    },
  };
  const view: BindsView = { list: () => binds.list().map(bindInfo) };
  const app = services.createApp({ sender, binds: view });
  statusRoutes(app, { binds: view, activity, topology: cfg.topology, rebindFloorMs: cfg.binds.rebindFloorMs });

  services.start();
  binds.start();
  log.info("core started", { nodes: cfg.topology.smscNodes.map((n) => n.name), store: cfg.store.url.split(":")[0], mode: cfg.binds.mode });

  return {
    services,
    binds,
    router,
    app,
    activity,
    async stop() {
      draining = true;
      await binds.stop(); // each session drains its in-flight submits (bounded) before unbinding
      await services.close();
      log.info("core stopped");
    },
  };
}

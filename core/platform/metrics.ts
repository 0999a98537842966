/**
 * The core's Prometheus metrics, in their own registry (one per core instance, so tests can build several).
 * The metric objects are exported for the parts that update them: the bind manager (bind states, in-flight,
 * rebinds), the MT router (submits, latency), the inbox (dedup hits), the outbox (webhook deliveries).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { BIND_STATE_KINDS, type BindState } from "../binds/bind-state.ts";

export interface CoreMetricsOptions {
  /** Read at scrape time for the outbox backlog gauge. */
  readonly backlog?: () => Promise<{ pending: number; dead: number }>;
  /** Also export process metrics (memory, CPU, event loop). Default true. */
  readonly processMetrics?: boolean;
}

export function createCoreMetrics(opts: CoreMetricsOptions = {}) {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const m = {
    registry,
    /** 1 for the state a bind is in, 0 for the others: `bindState.set({node, site, state}, 1)`. */
    bindState: new Gauge({ name: "gsh_bind_state", help: "SMPP bind state (1 = current)", labelNames: ["node", "site", "state"], registers }),
    /** Submits awaiting their submit_sm_resp, per bind. */
    inFlight: new Gauge({ name: "gsh_bind_in_flight", help: "submit_sm awaiting a response", labelNames: ["node"], registers }),
    /** MT submits by outcome (accepted, rejected, throttled, unknown, no_bind). */
    submits: new Counter({ name: "gsh_submits_total", help: "MT submits by outcome", labelNames: ["outcome"], registers }),
    /** submit_sm → submit_sm_resp, seconds. */
    submitLatency: new Histogram({
      name: "gsh_submit_latency_seconds",
      help: "submit_sm to submit_sm_resp",
      labelNames: ["node"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    rebinds: new Counter({ name: "gsh_rebinds_total", help: "bind attempts after a loss or refusal", labelNames: ["node"], registers }),
    /** Inbound events already stored (same MO/receipt again). */
    dedupHits: new Counter({ name: "gsh_dedup_hits_total", help: "inbound events found already stored", labelNames: ["path"], registers }),
    possibleDuplicates: new Counter({ name: "gsh_mo_possible_duplicates_total", help: "id-less MOs stored again, marked possibleDuplicate (same content in the window, not a known redelivery)", registers }),
    /** Concatenated MOs delivered: completed, or released incomplete after the parts limit. */
    moGroups: new Counter({ name: "gsh_mo_groups_total", help: "concatenated MOs delivered, by outcome (completed, incomplete)", labelNames: ["outcome"], registers }),
    eventsStored: new Counter({ name: "gsh_events_stored_total", help: "inbound events stored", registers }),
    outboxBacklog: new Gauge({
      name: "gsh_outbox_backlog",
      help: "events not yet delivered to the webhook (state=pending) or dead-lettered (state=dead)",
      labelNames: ["state"],
      registers,
      async collect() {
        if (!opts.backlog) return;
        try {
          const b = await opts.backlog();
          this.set({ state: "pending" }, b.pending);
          this.set({ state: "dead" }, b.dead);
        } catch {
          /* store down: keep the last values; /readyz reports the store */
        }
      },
    }),
    webhookDeliveries: new Counter({ name: "gsh_webhook_deliveries_total", help: "webhook POSTs by result", labelNames: ["result"], registers }),
  };
  return m;
}

export type CoreMetrics = ReturnType<typeof createCoreMetrics>;

/** Sets the bind-state gauge for one bind: 1 for `state`, 0 for every other state. */
export function setBindState(m: CoreMetrics, node: string, site: string, state: BindState["kind"]): void {
  for (const s of BIND_STATE_KINDS) m.bindState.set({ node, site, state: s }, s === state ? 1 : 0);
}

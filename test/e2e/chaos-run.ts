/**
 * The chaos run: MTs flow through the edge (HTTP path) and the core (SMPP path), the simulator sends MOs
 * and receipts (a share from the other site, duplicated, or ahead of their submit_sm_resp), and faults are
 * injected in turn: a site down then back, a node partitioned, an SMSC-initiated unbind, a throttling burst,
 * dropped deliver_sm (redelivered when unacknowledged), and answers lost after the MT was taken (ambiguous).
 * Then the audit compares the API's answers with the simulator's ledger and the webhook receiver. Shared by
 * the bounded test and the longer script.
 */
import { audit, type AuditReport, type SeenEvent } from "../../tools/demo/audit.ts";
import { Traffic } from "../../tools/demo/traffic.ts";
import { REALISTIC_RECEIPTS, type Fault, type MtDedupModel } from "../../sim/index.ts";
import { startStack, type EdgeRuntime, type Stack } from "./stack.ts";

export interface ChaosOptions {
  durationMs: number;
  /** MTs per second on EACH path (edge and core). */
  mtPerSecond: number;
  /** MOs per second, alternating SMPP and HTTP. */
  moPerSecond: number;
  edge: EdgeRuntime;
  /** The core's rebind floor for this run (real time). */
  rebindFloorMs: number;
  /** How long to wait after the traffic for every MO and receipt to reach the webhook. */
  settleMs: number;
  /** The edge's AMBIGUOUS_RETRY (default: the edge's default) and AMBIGUOUS_PAUSE_MS. */
  ambiguousRetry?: "same-site-first" | "other-site";
  ambiguousPauseMs?: number;
  /** Which site sees which message_ids (default "shared"). */
  mtDedup?: MtDedupModel;
  /** How many answers dc3 loses after taking the MT, in the "answers lost" step (default 10; 0: no such step). */
  lostAnswers?: number;
  /**
   * A transient hiccup (default 0: none): for this long dc3 takes MTs but answers each 1.5 s late, after the
   * edge's attempt timeout; then it answers at once again. The DR page's case for resubmitting after a pause.
   */
  lateWindowMs?: number;
  progress?: (line: string) => void;
}

export interface ChaosResult {
  report: AuditReport;
  /** When each fault step ran, ms after the traffic started. */
  steps: { at: number; step: string }[];
  trafficMs: number;
  settleMs: number;
}

interface Step {
  /** Fraction of the traffic duration. */
  at: number;
  step: string;
  run(s: Stack, t: Traffic, faults: Map<string, string>): void | Promise<void>;
}

const add = (s: Stack, faults: Map<string, string>, key: string, f: Fault) => {
  faults.set(key, s.sim.addFault(f));
};
const remove = (s: Stack, faults: Map<string, string>, key: string) => {
  const id = faults.get(key);
  if (id) s.sim.removeFault(id);
  faults.delete(key);
};

/** The fault schedule, in turn; shares of odd receipts run throughout (simulator options). */
const steps = (o: ChaosOptions): readonly Step[] => [...STEPS_BEFORE_CLEAR(o), ...lateWindow(o),
  { at: 0.84, step: "faults cleared", run: (s, _t, f) => (s.sim.clearFaults(), f.clear()) },
];

/** The optional transient hiccup (ChaosOptions.lateWindowMs), after the lost answers. */
const lateWindow = (o: ChaosOptions): Step[] => (o.lateWindowMs ? [{
  at: 0.8,
  step: `dc3 answers late (taken, answered after the timeout) for ${o.lateWindowMs} ms`,
  run: (s, _t, f) => {
    add(s, f, "late", { target: "dc3", kind: "latency", ms: 1_500 });
    setTimeout(() => remove(s, f, "late"), o.lateWindowMs);
  },
}] : []);

const STEPS_BEFORE_CLEAR = (o: ChaosOptions): Step[] => [
  { at: 0.08, step: "site dc3 down", run: (s, _t, f) => add(s, f, "down", { target: "dc3", kind: "down" }) },
  { at: 0.22, step: "site dc3 back", run: (s, _t, f) => remove(s, f, "down") },
  { at: 0.3, step: "node smc1.bos partitioned", run: (s, _t, f) => add(s, f, "partition", { target: "smc1.bos", kind: "partition" }) },
  { at: 0.42, step: "partition healed", run: (s, _t, f) => remove(s, f, "partition") },
  { at: 0.48, step: "SMSC-initiated unbind on smc2.dc3", run: (s) => void s.sim.addFault({ target: "smc2.dc3", kind: "unbind" }) },
  { at: 0.56, step: "throttling burst on dc3 (30 requests)", run: (s, _t, f) => add(s, f, "throttle", { target: "dc3", kind: "throttle", count: 30 }) },
  {
    at: 0.66,
    step: "deliver_sm dropped on smc2.bos (redelivered when unacknowledged)",
    run: async (s, t, f) => {
      add(s, f, "drop", { target: "smc2.bos", kind: "drop", count: 2 });
      await Promise.all([t.injectMo("smpp", "smc2.bos"), t.injectMo("smpp", "smc2.bos"), t.injectMo("smpp", "smc2.bos")]);
    },
  },
  ...(o.lostAnswers === 0 ? [] : [{
    at: 0.74,
    step: `dc3 takes MTs but its answers are lost (${o.lostAnswers ?? 10} times, HTTP and SMPP)`,
    run: (s: Stack, _t: Traffic, f: Map<string, string>) => add(s, f, "lost", { target: "dc3", kind: "drop", count: o.lostAnswers ?? 10 }),
  }]),
];

function seenEvents(s: Stack): SeenEvent[] {
  return [...s.receiver.events.values()].map((e) => ({ id: e.event.id, type: e.event.type, deliveries: e.deliveries, data: e.event.data as SeenEvent["data"] }));
}

async function auditNow(s: Stack, t: Traffic, o: ChaosOptions, since: number, runId: string): Promise<AuditReport> {
  const sum = s.receiver.summary();
  const statuses = await t.statuses();
  return audit({
    mts: t.mts, mos: t.mos, ledger: s.sim.ledger.snapshot(), events: seenEvents(s),
    receiver: { redelivered: sum.redelivered, badSignatures: sum.badSignatures },
    since, rebindFloorMs: o.rebindFloorMs, runId, statuses,
  });
}

/** Runs the whole scenario on a fresh stack and answers the audit; always stops the stack. */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const say = o.progress ?? (() => undefined);
  const stack = await startStack({
    edge: o.edge,
    sim: {
      receipts: { otherSiteShare: 0.25, duplicateShare: 0.2, earlyShare: 0.2, ...REALISTIC_RECEIPTS },
      deliverAckTimeoutMs: 500,
      callbackRetry: { intervalMs: 300, retries: 100 },
      ...(o.mtDedup !== undefined && { mtDedup: o.mtDedup }),
    },
    binds: { rebindFloorMs: o.rebindFloorMs, rebindJitterMs: 100, responseTimeoutMs: 1_000, enquireLinkMs: 500, window: 10, drainMs: 500 },
    // A receipt for an MT whose submit_sm_resp was lost (outcome `unknown`) can never be correlated: the core
    // parks it, then stores it uncorrelated after parkLimitMs (10 min in production; 2 s here).
    inbox: { parkLimitMs: 2_000 },
    edgeEnv: {
      BREAKER_COOLDOWN_MS: "1000",
      ...(o.ambiguousRetry !== undefined && { AMBIGUOUS_RETRY: o.ambiguousRetry }),
      ...(o.ambiguousPauseMs !== undefined && { AMBIGUOUS_PAUSE_MS: String(o.ambiguousPauseMs) }),
    },
  });
  try {
    await stack.sim.ledger.waitFor((l) => l.activeBinds.length === 4, 5_000);
    const runId = `c${Date.now().toString(36)}`;
    const traffic = new Traffic(stack.endpoints, { runId, timeoutMs: 15_000 });
    const since = Date.now();
    const pending = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    };
    const STEPS = steps(o);
    const ran: ChaosResult["steps"] = [];
    const faults = new Map<string, string>();
    let next = 0;
    let mtDue = 0;
    let moDue = 0;
    let lastSay = 0;
    while (Date.now() - since < o.durationMs) {
      const elapsed = Date.now() - since;
      while (next < STEPS.length && elapsed >= STEPS[next]!.at * o.durationMs) {
        const st = STEPS[next++]!;
        ran.push({ at: elapsed, step: st.step });
        say(`  ${(elapsed / 1000).toFixed(1)}s  ${st.step}`);
        track(Promise.resolve(st.run(stack, traffic, faults)));
      }
      for (; mtDue <= (elapsed * o.mtPerSecond) / 1000; mtDue++) {
        if (traffic.inFlight > 400) break; // bounded: a stuck path slows the sender instead of piling up sockets
        track(traffic.sendMt("edge"));
        track(traffic.sendMt("core"));
      }
      for (; moDue <= (elapsed * o.moPerSecond) / 1000; moDue++) track(traffic.injectMo(moDue % 2 ? "http" : "smpp"));
      if (elapsed - lastSay >= 5_000) {
        lastSay = elapsed;
        const tt = traffic.totals();
        say(`  ${(elapsed / 1000).toFixed(0)}s  edge ${tt.edge.accepted}/${tt.edge.sent} accepted · core ${tt.core.accepted}/${tt.core.sent} accepted · MOs ${tt.mos} · webhook events ${stack.receiver.events.size}`);
      }
      await Bun.sleep(5);
    }
    const trafficMs = Date.now() - since;
    await Promise.all(pending);
    stack.sim.clearFaults();
    const t0 = Date.now();
    let report = await auditNow(stack, traffic, o, since, runId);
    while (report.missing > 0 && Date.now() - t0 < o.settleMs) {
      await Bun.sleep(200);
      // The core sweeps parked receipts every 30 s; run the sweep now rather than wait for it.
      await stack.core.gateway.correlation.sweep();
      report = await auditNow(stack, traffic, o, since, runId);
    }
    await Bun.sleep(300); // a late duplicate would show now
    report = await auditNow(stack, traffic, o, since, runId);
    return { report, steps: ran, trafficMs, settleMs: Date.now() - t0 };
  } finally {
    await stack.stop();
  }
}

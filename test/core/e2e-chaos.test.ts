/**
 * The chaos run, bounded (~25 s): the real core in-process (real SMPP sockets to the simulator), the real
 * edge in workerd, the demo webhook receiver, and faults in turn (site down and back, node partitioned,
 * SMSC-initiated unbind, throttling burst, dropped deliver_sm) while receipts come from the other site,
 * twice, or before their submit_sm_resp. Real time with a 1.5 s rebind floor (the 30 s floor itself is
 * covered with an injected clock in core-sim-binds). test/bench/chaos.ts runs the same for longer.
 */
import { describe, expect, test } from "bun:test";
import { formatReport } from "../../tools/demo/audit.ts";
import { runChaos, type ChaosResult } from "../e2e/chaos-run.ts";

const FLOOR_MS = 1_500;

describe("chaos: nothing lost, nothing doubled", () => {
  let r: ChaosResult;

  test("traffic through edge and core survives every injected fault", async () => {
    r = await runChaos({ durationMs: 16_000, mtPerSecond: 8, moPerSecond: 4, edge: "workerd", rebindFloorMs: FLOOR_MS, settleMs: 20_000 });
    const failed = r.report.checks.filter((c) => !c.ok);
    if (failed.length) console.error(formatReport(r.report).join("\n"));
    expect(failed).toEqual([]);
    expect(r.steps.map((s) => s.step)).toHaveLength(9);
  }, 90_000);

  test("each fault really happened (the run is not vacuous)", () => {
    const f = r.report.figures;
    expect(f.mtEdgeAccepted).toBeGreaterThan(80); // 128 sent on each path
    expect(f.mtCoreAccepted).toBeGreaterThan(100);
    expect(f.mtEdgeFailedOver).toBeGreaterThan(0); // dc3 down: the edge went to bos
    expect(f.smscUnbinds).toBeGreaterThanOrEqual(1);
    // Answers lost after dc3 took the MT: the edge resent the same message_id to bos (result 7) or said unknown.
    expect(f.mtEdgeDeduplicated! + f.mtEdgeUnknown!).toBeGreaterThan(0);
    expect(f.throttledSubmits).toBeGreaterThan(0);
    expect(f.deliverRedeliveries).toBeGreaterThan(0); // dropped deliver_sm were sent again
    expect(f.receiptsDuplicated).toBeGreaterThan(0);
    expect(f.receiptsEarly).toBeGreaterThan(0);
    expect(f.receiptsOtherSite).toBeGreaterThan(0);
    expect(f.mosInjected).toBeGreaterThan(50);
    expect(f.minRebindGapMs).toBeGreaterThanOrEqual(FLOOR_MS - 100); // rebinds happened, none early
    // One event per MO and one per distinct receipt (ENROUTE and final, per SMPP segment).
    expect(f.webhookEvents).toBe(f.mosInjected! + f.receiptsDistinct!);
    expect(f.receiptsDistinct).toBeGreaterThan(f.mtEdgeAccepted! + f.mtCoreAccepted!);
    // The realistic receipts really ran: final states checked on both paths, some of them failures, some ENROUTE late.
    expect(f.mtFinalsChecked).toBeGreaterThan(f.mtEdgeAccepted! + f.mtCoreAccepted! - 20);
    expect(f.mtFinalsNotDelivered).toBeGreaterThan(0);
    expect(f.receiptsEnrouteLate).toBeGreaterThan(0);
  });
});

/**
 * Which AMBIGUOUS_RETRY should the edge default to? (A script that prints figures, not a test.) The chaos run
 * (test/e2e/chaos-run.ts) under each policy × each of the simulator's message_id dedup models, in one
 * process, so machine noise is shared: MTs Genesys took twice, and the edge's send latency.
 *   npx bun test/bench/ambiguous-retry.ts [--duration=20] [--rate=8] [--lost=40] [--late-ms=0] [--pause-ms=1000] [--replication-ms=2000]
 * --lost: answers dc3 loses after taking the MT (0: none); --late-ms: a window in which dc3 answers late.
 * The edge runs in workerd with a 1 s attempt timeout and a 4 s deadline (test/edge/harness.ts).
 */
import type { MtDedupModel } from "../../sim/index.ts";
import { runChaos } from "../e2e/chaos-run.ts";

function flag(name: string, dflt: number): number {
  const f = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = f ? Number(f.slice(name.length + 3)) : dflt;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
  return v;
}

const durationS = flag("duration", 20);
const rate = flag("rate", 8);
const lost = flag("lost", 40);
const lateMs = flag("late-ms", 0);
const pauseMs = flag("pause-ms", 1000);
const replicationMs = flag("replication-ms", 2000);
const policies = ["same-site-first", "other-site"] as const;
const models: { name: string; model: MtDedupModel }[] = [
  { name: "shared", model: "shared" },
  { name: "per-site", model: "per-site" },
  { name: `shared, ${replicationMs} ms replication`, model: { replicationDelayMs: replicationMs } },
];

console.log(`ambiguous-retry: chaos run ${durationS} s per cell, ${rate} MT/s per path, dc3 loses ${lost} answers after taking the MT, answers late for ${lateMs} ms, pause ${pauseMs} ms`);
const rows: string[][] = [["policy", "dedup model", "edge MTs", "accepted", "unknown", "taken twice", "p50 ms", "p99 ms", "max ms", "checks failed"]];
for (const model of models) {
  for (const policy of policies) {
    const r = await runChaos({
      durationMs: durationS * 1000, mtPerSecond: rate, moPerSecond: 2, edge: "workerd", rebindFloorMs: 1500, settleMs: 20_000,
      ambiguousRetry: policy, ambiguousPauseMs: pauseMs, mtDedup: model.model, lostAnswers: lost, lateWindowMs: lateMs,
    });
    const f = r.report.figures;
    const failed = r.report.checks.filter((c) => !c.ok).map((c) => c.name);
    rows.push([policy, model.name, String(f.mtEdgeSent), String(f.mtEdgeAccepted), String(f.mtEdgeUnknown), String(f.mtEdgeTakenTwice), String(f.mtEdgeMsP50), String(f.mtEdgeMsP99), String(f.mtEdgeMsMax), failed.length ? failed.join("; ") : "0"]);
    console.log(`  ${policy} × ${model.name}: taken twice ${f.mtEdgeTakenTwice}, p50 ${f.mtEdgeMsP50} ms, p99 ${f.mtEdgeMsP99} ms`);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log("");
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));

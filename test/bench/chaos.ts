/**
 * The long chaos run (a script that prints figures, not a test): the same scenario as
 * test/core/e2e-chaos.test.ts for a set time at a set rate, then the lost/doubled audit and its counts.
 *   npx bun test/bench/chaos.ts [--duration=120] [--rate=20] [--mo-rate=5] [--edge=workerd|deno] [--floor-ms=1500]
 * Exit code 0 when every check holds.
 */
import { formatReport } from "../../tools/demo/audit.ts";
import { runChaos } from "../e2e/chaos-run.ts";

function flag(name: string, dflt: string): string {
  const f = process.argv.find((a) => a.startsWith(`--${name}=`));
  return f ? f.slice(name.length + 3) : dflt;
}
const num = (name: string, dflt: number) => {
  const v = Number(flag(name, String(dflt)));
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
};

const durationS = num("duration", 120);
const rate = num("rate", 20);
const moRate = num("mo-rate", 5);
const edge = flag("edge", "workerd");
if (edge !== "workerd" && edge !== "deno") throw new Error("--edge must be workerd or deno");
const floor = num("floor-ms", 1500);

console.log(`chaos run: ${durationS} s, ${rate} MT/s on each path (edge in ${edge}, core over SMPP), ${moRate} MO/s, rebind floor ${floor} ms`);
const t0 = Date.now();
const r = await runChaos({ durationMs: durationS * 1000, mtPerSecond: rate, moPerSecond: moRate, edge, rebindFloorMs: floor, settleMs: 60_000, progress: (l) => console.log(l) });
console.log(`\ntraffic ${(r.trafficMs / 1000).toFixed(1)} s, settled in ${(r.settleMs / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
for (const l of formatReport(r.report)) console.log(l);
console.log(`\n${r.report.ok ? "nothing lost, nothing doubled" : "CHECKS FAILED"}`);
process.exit(r.report.ok ? 0 : 1);

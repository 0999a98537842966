/** The bind-state gauge: one series per state a bind can really be in, exactly one of them at 1. */
import { expect, test } from "bun:test";
import { createCoreMetrics, setBindState } from "../../core/platform/metrics.ts";

async function series(m: ReturnType<typeof createCoreMetrics>): Promise<Record<string, number>> {
  const text = await m.registry.getSingleMetricAsString("gsh_bind_state");
  return Object.fromEntries([...text.matchAll(/^gsh_bind_state\{.*state="(\w+)"\} (\d+)$/gm)].map((x) => [x[1]!, Number(x[2])]));
}

test("gsh_bind_state has a series for every bind state, stopped included, and 1 only for the current one", async () => {
  const m = createCoreMetrics({ processMetrics: false });
  setBindState(m, "smc1.dc3", "dc3", "stopped");
  expect(await series(m)).toEqual({ idle: 0, connecting: 0, bound: 0, unbinding: 0, backoff: 0, stopped: 1 });
  setBindState(m, "smc1.dc3", "dc3", "bound");
  expect(await series(m)).toEqual({ idle: 0, connecting: 0, bound: 1, unbinding: 0, backoff: 0, stopped: 0 });
});

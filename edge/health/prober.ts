/**
 * The active prober, run on a schedule (Workers cron, a Deno interval): one request per target that sends
 * no message (an empty form, answered with a client-error result code by a healthy receiver), and a health
 * record per target written to the layers. It keeps the global layer truthful when no traffic flows.
 */
import { systemClock, type Clock } from "../../contract/clock.ts";
import { attempt } from "../send/attempt.ts";
import type { EdgeConfig, Target } from "../config.ts";
import { reportOf } from "../send/failover.ts";
import type { HealthLayer, HealthRecord } from "./record.ts";

export interface ProbeInput {
  readonly targets: readonly Target[];
  readonly layers: readonly HealthLayer[];
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** How long a failed probe marks a site down, ms. */
  readonly downForMs: number;
}

/** Probes every target once, in parallel; answers the records written. */
export async function probeTargets(i: ProbeInput): Promise<HealthRecord[]> {
  const records = await Promise.all(i.targets.map(async (t): Promise<HealthRecord> => {
    const r = await attempt({ url: t.url, body: "", timeoutMs: i.timeoutMs, fetch: i.fetch, clock: i.clock });
    const now = i.clock.now();
    return reportOf(r).ok
      ? { site: t.name, state: "up", at: now, latencyMs: r.ms, by: "probe" }
      : { site: t.name, state: "down", at: now, until: now + i.downForMs, lastError: r.error ?? r.outcome, by: "probe" };
  }));
  await Promise.all(i.layers.flatMap((l) => records.map((r) => l.write(r).catch(() => undefined))));
  return records;
}

/** One scheduled round as both entries run it (Workers cron, Deno interval): every target, one log line. */
export function probeRound(config: EdgeConfig, layers: readonly HealthLayer[], fetch: typeof globalThis.fetch, log: (e: object) => void): Promise<void> {
  return probeTargets({ targets: config.targets, layers, fetch, clock: systemClock, timeoutMs: config.attemptTimeoutMs, downForMs: config.breaker.cooldownMs })
    .then((records) => log({ level: "info", msg: "probe", sites: records.map((r) => `${r.site}:${r.state}`).join(" ") }));
}

/**
 * The optional global health layer: Workers KV or Deno KV, written by the scheduled prober (and read by
 * every isolate every few seconds). KV is eventually consistent and slow to write, so it is the last word,
 * never the first: a local breaker and the per-location cache both outrank it.
 */
import type { Clock } from "../../contract/clock.ts";
import type { KvNamespaceLike } from "../env.ts";
import { readRecords, recordTtlMs, type HealthLayer, type HealthRecord } from "./record.ts";

const PREFIX = "edge-health:";

/** Workers KV (`env.HEALTH_KV`). KV refuses TTLs under 60 s. */
export class WorkersKvHealthLayer implements HealthLayer {
  readonly name = "global" as const;
  constructor(private readonly kv: KvNamespaceLike, private readonly clock: Clock) {}

  read(sites: readonly string[]): Promise<Map<string, HealthRecord>> {
    return readRecords(sites, (site) => this.kv.get(PREFIX + site, "json"));
  }

  async write(record: HealthRecord): Promise<void> {
    const ttl = Math.max(60, Math.ceil(recordTtlMs(record, this.clock.now()) / 1000));
    await this.kv.put(PREFIX + record.site, JSON.stringify(record), { expirationTtl: ttl });
  }
}

/** The part of Deno KV this layer uses (`await Deno.openKv()`). */
export interface DenoKvLike {
  get(key: readonly string[]): Promise<{ value: unknown }>;
  set(key: readonly string[], value: unknown, options?: { expireIn?: number }): Promise<unknown>;
}

/** Deno KV. */
export class DenoKvHealthLayer implements HealthLayer {
  readonly name = "global" as const;
  constructor(private readonly kv: DenoKvLike, private readonly clock: Clock) {}

  read(sites: readonly string[]): Promise<Map<string, HealthRecord>> {
    return readRecords(sites, async (site) => (await this.kv.get(["edge-health", site])).value);
  }

  async write(record: HealthRecord): Promise<void> {
    await this.kv.set(["edge-health", record.site], record, { expireIn: recordTtlMs(record, this.clock.now()) });
  }
}

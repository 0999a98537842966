/**
 * What one isolate (or the prober) tells the others about a site: up or down, since when, until when.
 * The record is the unit the shared and global health layers store; it carries no secrets.
 */
import { z } from "zod";

export const HealthRecord = z.object({
  site: z.string(),
  state: z.enum(["up", "down"]),
  /** When this was observed, ms since the epoch. */
  at: z.number(),
  /** For `down`: leave the site alone until then. */
  until: z.number().optional(),
  lastError: z.string().max(300).optional(),
  latencyMs: z.number().nonnegative().optional(),
  /** `traffic`: a breaker opened or closed on real sends; `probe`: the scheduled prober. */
  by: z.enum(["traffic", "probe"]),
});
export type HealthRecord = z.infer<typeof HealthRecord>;

/** One layer of shared health state (per-location cache, or global KV). Reads answer only valid records. */
export interface HealthLayer {
  readonly name: "shared" | "global";
  read(sites: readonly string[]): Promise<Map<string, HealthRecord>>;
  write(record: HealthRecord): Promise<void>;
}

/** Parses a stored value; undefined for anything unreadable (a layer must never break sending). */
export function readRecord(value: unknown): HealthRecord | undefined {
  const r = HealthRecord.safeParse(value);
  return r.success ? r.data : undefined;
}

/** How long a record is worth keeping: a down record until its `until`, an up record a minute. */
export function recordTtlMs(r: HealthRecord, now: number): number {
  return r.state === "down" && r.until !== undefined ? Math.max(1000, r.until - now) : 60_000;
}

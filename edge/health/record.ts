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

/**
 * A layer's read: each site's stored value (`get`), kept when it is a valid record of that very site.
 * Anything unreadable is left out: a layer must never break sending.
 */
export async function readRecords(sites: readonly string[], get: (site: string) => Promise<unknown>): Promise<Map<string, HealthRecord>> {
  const out = new Map<string, HealthRecord>();
  await Promise.all(sites.map(async (site) => {
    const r = HealthRecord.safeParse(await get(site));
    if (r.success && r.data.site === site) out.set(site, r.data);
  }));
  return out;
}

/** How long a record is worth keeping: a down record until its `until`, an up record a minute. */
export function recordTtlMs(r: HealthRecord, now: number): number {
  return r.state === "down" && r.until !== undefined ? Math.max(1000, r.until - now) : 60_000;
}

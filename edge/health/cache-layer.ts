/**
 * The shared, per-location health layer over the Cache API: `caches.default` / `caches.open()` on Workers,
 * `caches.open()` on Deno. Both expose the same `match`/`put`, so one adapter serves both. Keys are
 * synthetic URLs under a host nobody serves; records expire by `Cache-Control` and by their own `until`.
 */
import type { Clock } from "../../contract/clock.ts";
import { readRecords, recordTtlMs, type HealthLayer, type HealthRecord } from "./record.ts";

/** The part of the Cache API this layer uses. */
export interface CacheLike {
  match(request: Request): Promise<Response | undefined>;
  put(request: Request, response: Response): Promise<void>;
}

export class CacheHealthLayer implements HealthLayer {
  readonly name = "shared" as const;

  constructor(
    private readonly cache: CacheLike,
    private readonly clock: Clock,
    /** Separates deployments (and test runs) sharing one cache: see `targetsScope`. */
    scope = "default",
  ) {
    this.base = `https://edge-health.invalid/${encodeURIComponent(scope)}/site/`;
  }

  private readonly base: string;

  read(sites: readonly string[]): Promise<Map<string, HealthRecord>> {
    return readRecords(sites, async (site) => {
      const res = await this.cache.match(new Request(this.base + encodeURIComponent(site)));
      return res?.json().catch(() => undefined);
    });
  }

  async write(record: HealthRecord): Promise<void> {
    const ttlS = Math.ceil(recordTtlMs(record, this.clock.now()) / 1000);
    await this.cache.put(
      new Request(this.base + encodeURIComponent(record.site)),
      new Response(JSON.stringify(record), { headers: { "content-type": "application/json", "cache-control": `max-age=${ttlS}` } }),
    );
  }
}

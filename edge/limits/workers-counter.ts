/**
 * The Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml) as a counter. The binding holds its
 * own limit and period (10 or 60 s), so the configured policy must state the same (RATE_LIMIT_* settings);
 * it does not say how many hits are left.
 */
import type { Counter, Decision } from "./counter.ts";

/** Cloudflare's RateLimit binding. */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export class WorkersRateLimitCounter implements Counter {
  constructor(private readonly binding: RateLimitBinding) {}

  async hit(key: string): Promise<Decision> {
    const { success } = await this.binding.limit({ key });
    return { ok: success, remaining: -1 };
  }
}

/**
 * A rate-limit counter: counts hits on a key within a window and says whether this hit is within the limit.
 * Fixed windows (aligned to the epoch, or the whole life of a token for `max_sends`), because every store
 * here can do them atomically in one step: the Workers Rate Limiting binding, Deno KV (check + set), or
 * memory. Implementations: memory-counter.ts, deno-kv-counter.ts, workers-counter.ts.
 */

/** A window, seconds since the epoch: [start, end). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface Decision {
  readonly ok: boolean;
  /** Hits left in the window after this one (-1: the store does not say). */
  readonly remaining: number;
}

export interface Counter {
  hit(key: string, limit: number, window: Window): Decision | Promise<Decision>;
}

/** The fixed window of `seconds` that holds `nowS`. */
export function windowAt(nowS: number, seconds: number): Window {
  const start = Math.floor(nowS / seconds) * seconds;
  return { start, end: start + seconds };
}

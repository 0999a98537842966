/**
 * The in-process counter: the fallback where no shared store is configured (per isolate on Workers, per
 * process on Deno), and what tests drive with a ManualClock. Bounded: expired windows are dropped once the
 * map grows past `max` keys, and if every key is live the map is cleared rather than allowed to grow.
 */
import type { Clock } from "../../contract/clock.ts";
import type { Counter, Decision, Window } from "./counter.ts";

export class MemoryCounter implements Counter {
  readonly #counts = new Map<string, { n: number; end: number }>();
  constructor(private readonly clock: Clock, private readonly max = 50_000) {}

  /** Keys held (windows counted), for tests and metrics. */
  get size(): number {
    return this.#counts.size;
  }

  hit(key: string, limit: number, w: Window): Decision {
    const k = `${key}@${w.start}`;
    const e = this.#counts.get(k);
    const n = (e?.n ?? 0) + 1;
    if (e) e.n = n;
    else {
      if (this.#counts.size >= this.max) this.#prune();
      this.#counts.set(k, { n, end: w.end });
    }
    return { ok: n <= limit, remaining: Math.max(0, limit - n) };
  }

  #prune(): void {
    const nowS = this.clock.now() / 1000;
    for (const [k, e] of this.#counts) if (e.end <= nowS) this.#counts.delete(k);
    if (this.#counts.size >= this.max) this.#counts.clear();
  }
}

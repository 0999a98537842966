/**
 * Time, injected. Everything that waits (rebind floors, cool-downs, retries, timeouts) takes a Clock, so
 * tests drive a ManualClock and prove a 30 s floor in milliseconds instead of sleeping. One clock, two
 * readings with two names: `now()` is wall time (epoch ms: timestamps, records, what a caller reads) and
 * `monotonic()` never goes back (durations and deadlines that a wall-clock step must not stretch or cut).
 */

/** Opaque: whatever the clock handed out. */
export type TimerId = unknown;

export interface Clock {
  /** Milliseconds since the epoch (wall time: may step when the host's clock is set). */
  now(): number;
  /** Milliseconds from an arbitrary origin that never goes back: only differences of it mean anything. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerId,
  clearTimeout: (id) => clearTimeout(id as Parameters<typeof clearTimeout>[0]),
};

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

/** A clock that moves only when told to; timers fire in time order as it passes them. */
export class ManualClock implements Clock {
  #now: number;
  #next = 1;
  #timers: Pending[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Manual time is one line: the monotonic reading is the same as `now()`. */
  monotonic(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const t = { id: this.#next++, at: this.#now + Math.max(0, ms), fn };
    this.#timers.push(t);
    return t.id;
  }

  clearTimeout(id: TimerId): void {
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, in order (timers set by fired timers
   * fire too when they fall inside the window). Awaits a macrotask after each timer so promise chains a
   * timer starts settle before the next one fires. It first lets pending work settle, so a timer that
   * code already running is about to set (behind an await) is not skipped.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await new Promise<void>((r) => setTimeout(r, 0));
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const t = this.#timers[0];
      if (!t || t.at > end) break;
      this.#timers.shift();
      this.#now = t.at;
      t.fn();
      await new Promise<void>((r) => setTimeout(r, 0));
    }
    this.#now = end;
    await new Promise<void>((r) => setTimeout(r, 0));
  }
}

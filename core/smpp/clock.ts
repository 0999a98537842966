/**
 * Time as an injected dependency, so tests drive keepalive and timeouts in milliseconds
 * (or by hand) instead of sleeping through real SMPP intervals.
 */

/** Opaque timer handle returned by Clock.setTimeout. */
export type TimerHandle = unknown;

/** Monotonic-enough time source and one-shot timers. */
export interface Clock {
  /** Milliseconds; only differences are used. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: performance.now() and the runtime's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

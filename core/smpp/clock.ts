/**
 * Time as an injected dependency, so tests drive keepalive and timeouts in milliseconds (or by hand)
 * instead of sleeping through real SMPP intervals. The interface is the contract's; the session's real
 * clock is monotonic, since it only measures durations.
 */
import type { Clock, TimerId } from "../../contract/clock.ts";

export type { Clock };
/** Opaque timer handle returned by Clock.setTimeout. */
export type TimerHandle = TimerId;

/** The real clock for durations: performance.now() (monotonic) and the runtime's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

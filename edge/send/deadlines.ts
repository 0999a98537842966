/**
 * Per-attempt timeouts, two ways. `timerPerDeadline`: one clock timer per attempt, cancelled when it ends;
 * the only safe way on Workers, where a timer belongs to the request that set it and cannot serve another.
 * `sharedDeadlines`: one timer for every attempt in flight, armed for the earliest deadline, each attempt a
 * Set entry. On Deno a JS timer per attempt (a node-compatible Timeout object) cost about a sixth of the
 * edge's CPU per request (see test/bench/edge-proxy.ts); with the shared one the timer is re-armed about
 * once per timeout period under steady traffic, whatever the rate.
 */
import type { Clock, TimerId } from "../../contract/clock.ts";

/** Calls `fire` once `ms` have passed, unless the answered cancel function is called first. */
export interface Deadlines {
  after(ms: number, fire: () => void): () => void;
}

/** One clock timer per deadline. */
export function timerPerDeadline(clock: Clock): Deadlines {
  return {
    after(ms, fire) {
      const t = clock.setTimeout(fire, ms);
      return () => clock.clearTimeout(t);
    },
  };
}

interface Entry {
  readonly at: number;
  readonly fire: () => void;
}

/** One clock timer for all pending deadlines (per process; not for Workers, see above). */
export function sharedDeadlines(clock: Clock): Deadlines {
  const pending = new Set<Entry>();
  let timer: TimerId | undefined;
  let armedAt = Infinity;

  const arm = (at: number) => {
    if (timer !== undefined) clock.clearTimeout(timer);
    armedAt = at;
    timer = clock.setTimeout(sweep, Math.max(0, at - clock.now()));
  };
  // Fires what is due and re-arms for the earliest deadline left; cancelled entries are simply gone.
  function sweep() {
    timer = undefined;
    armedAt = Infinity;
    const now = clock.now();
    let next = Infinity;
    for (const e of pending) {
      if (e.at <= now) {
        pending.delete(e);
        try { e.fire(); } catch { /* a deadline's own fault must not stop the others */ }
      } else if (e.at < next) next = e.at;
    }
    if (next < Infinity) arm(next);
  }

  return {
    after(ms, fire) {
      const e: Entry = { at: clock.now() + ms, fire };
      pending.add(e);
      if (e.at < armedAt) arm(e.at);
      return () => void pending.delete(e);
    },
  };
}

/**
 * A circuit breaker for one Genesys site, fed by real traffic. State is a discriminated union and plain
 * data, so it can be written to a store and read back (`toJSON` / `Breaker.from`). Time comes in as an
 * argument: the caller owns the clock. Every transition is an event (`on("transition")`), never a log
 * line, so the caller decides what to publish (the shared health layer) or count.
 *
 *   closed ──hard failure / N soft failures──▶ open(until) ──cool-down over, one caller──▶ half_open(trial)
 *      ▲                                          ▲                                          │
 *      └──────────────── trial succeeds ──────────┼──────────── trial fails ◀────────────────┘
 */
import { z } from "zod";
import { Emitter, type Disposable } from "../../contract/emitter.ts";

/** Hard: the site is unreachable (refused, timeout, connection lost) → open at once. Soft: 5xx, result 98 or an undocumented code. */
export type FailureKind = "hard" | "soft";

export const BreakerState = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("closed"), since: z.number(), failures: z.number().int().min(0), lastError: z.string().optional() }),
  z.object({ kind: z.literal("open"), since: z.number(), until: z.number(), lastError: z.string() }),
  z.object({ kind: z.literal("half_open"), since: z.number(), trialAt: z.number(), lastError: z.string() }),
]);
export type BreakerState = z.infer<typeof BreakerState>;

export interface BreakerOptions {
  /** How long an open breaker refuses traffic, ms. */
  readonly cooldownMs: number;
  /** Consecutive soft failures that open it. */
  readonly threshold: number;
  /** A half-open trial that never reported back frees the slot after this, ms. */
  readonly trialTimeoutMs: number;
}

/** A state change, for the caller to publish. */
export type Transition = { readonly from: BreakerState["kind"]; readonly to: BreakerState };

export interface BreakerEvents {
  transition: Transition;
}

export class Breaker {
  #s: BreakerState;
  readonly #events = new Emitter<BreakerEvents>();

  constructor(readonly options: BreakerOptions, state: BreakerState = { kind: "closed", since: 0, failures: 0 }) {
    this.#s = state;
  }

  /** A breaker from stored state; anything unreadable gives a fresh closed breaker. */
  static from(json: unknown, options: BreakerOptions): Breaker {
    const r = BreakerState.safeParse(json);
    return new Breaker(options, r.success ? r.data : undefined);
  }

  on<K extends keyof BreakerEvents>(name: K, fn: (event: BreakerEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  get state(): BreakerState {
    return this.#s;
  }

  toJSON(): BreakerState {
    return this.#s;
  }

  /**
   * May a request go to this site now? An open breaker whose cool-down is over lets exactly one caller
   * through as the half-open trial; others are refused until the trial reports (or times out).
   */
  tryAcquire(now: number): { allowed: boolean } {
    const s = this.#s;
    if (s.kind === "closed") return { allowed: true };
    if (s.kind === "open") {
      if (now < s.until) return { allowed: false };
      this.#set({ kind: "half_open", since: now, trialAt: now, lastError: s.lastError });
      return { allowed: true };
    }
    if (now - s.trialAt >= this.options.trialTimeoutMs) {
      this.#s = { ...s, trialAt: now };
      return { allowed: true };
    }
    return { allowed: false };
  }

  /** When the site may be tried again (now, when it may already). */
  retryAt(now: number): number {
    const s = this.#s;
    if (s.kind === "open") return Math.max(now, s.until);
    if (s.kind === "half_open") return Math.max(now, s.trialAt + this.options.trialTimeoutMs);
    return now;
  }

  /** A request to the site succeeded: closes the breaker (a transition only when it was not closed). */
  success(now: number): void {
    const s = this.#s;
    if (s.kind === "closed") {
      if (s.failures > 0) this.#s = { kind: "closed", since: s.since, failures: 0 };
      return;
    }
    this.#set({ kind: "closed", since: now, failures: 0 });
  }

  /** A request to the site failed: may open the breaker (the only transition it makes). */
  failure(now: number, kind: FailureKind, error: string): void {
    const s = this.#s;
    const open = () => this.#set({ kind: "open", since: now, until: now + this.options.cooldownMs, lastError: error });
    if (s.kind === "half_open") return open();
    if (s.kind === "open") {
      // A request that started before the breaker opened reports late: extend, do not reset `since`.
      this.#s = { ...s, until: Math.max(s.until, now + this.options.cooldownMs), lastError: error };
      return;
    }
    const failures = s.failures + 1;
    if (kind === "hard" || failures >= this.options.threshold) return open();
    this.#s = { ...s, failures, lastError: error };
  }

  #set(to: BreakerState): void {
    const from = this.#s.kind;
    this.#s = to;
    this.#events.emit("transition", { from, to });
  }
}

/**
 * A circuit breaker for one Genesys site, fed by real traffic. State is a discriminated union and plain
 * data, so it can be written to a store and read back (`toJSON` / `Breaker.from`). Time comes in as an
 * argument: the caller owns the clock. Transitions are returned, not logged, so the caller decides
 * what to publish (the shared health layer) or count.
 *
 *   closed ──hard failure / N soft failures──▶ open(until) ──cool-down over, one caller──▶ half_open(trial)
 *      ▲                                          ▲                                          │
 *      └──────────────── trial succeeds ──────────┼──────────── trial fails ◀────────────────┘
 */
import { z } from "zod";

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

export class Breaker {
  #s: BreakerState;

  constructor(readonly options: BreakerOptions, state: BreakerState = { kind: "closed", since: 0, failures: 0 }) {
    this.#s = state;
  }

  /** A breaker from stored state; anything unreadable gives a fresh closed breaker. */
  static from(json: unknown, options: BreakerOptions): Breaker {
    const r = BreakerState.safeParse(json);
    return new Breaker(options, r.success ? r.data : undefined);
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
  tryAcquire(now: number): { allowed: boolean; transition?: Transition } {
    const s = this.#s;
    if (s.kind === "closed") return { allowed: true };
    if (s.kind === "open") {
      if (now < s.until) return { allowed: false };
      return { allowed: true, transition: this.#set({ kind: "half_open", since: now, trialAt: now, lastError: s.lastError }) };
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

  success(now: number): Transition | undefined {
    const s = this.#s;
    if (s.kind === "closed") {
      if (s.failures > 0) this.#s = { kind: "closed", since: s.since, failures: 0 };
      return undefined;
    }
    return this.#set({ kind: "closed", since: now, failures: 0 });
  }

  failure(now: number, kind: FailureKind, error: string): Transition | undefined {
    const s = this.#s;
    const open = (): Transition => this.#set({ kind: "open", since: now, until: now + this.options.cooldownMs, lastError: error });
    if (s.kind === "half_open") return open();
    if (s.kind === "open") {
      // A request that started before the breaker opened reports late: extend, do not reset `since`.
      this.#s = { ...s, until: Math.max(s.until, now + this.options.cooldownMs), lastError: error };
      return undefined;
    }
    const failures = s.failures + 1;
    if (kind === "hard" || failures >= this.options.threshold) return open();
    this.#s = { ...s, failures, lastError: error };
    return undefined;
  }

  #set(to: BreakerState): Transition {
    const from = this.#s.kind;
    this.#s = to;
    return { from, to };
  }
}

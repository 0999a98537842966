/**
 * The health cache, in layers: a per-isolate breaker per target fed by real traffic, the shared
 * per-location layer (Cache API) and the optional global layer (KV, written by the prober). The hot path
 * (`acquire`, `report`) is synchronous and in memory; the layers are read in the background at most every
 * `refreshMs` and written only when a breaker changes state. A failure seen locally always wins over what
 * a layer says; a layer's "down" is honoured until its `until`, unless this isolate has since succeeded.
 */
import type { Clock } from "../../contract/clock.ts";
import { Breaker, type BreakerOptions, type FailureKind, type Transition } from "./breaker.ts";
import type { Target } from "../config.ts";
import type { HealthLayer, HealthRecord } from "./record.ts";

/** Runs a background promise (`ctx.waitUntil` on Workers); errors are the promise's own business. */
export type Defer = (p: Promise<unknown>) => void;

export type Acquired =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAt: number; readonly source: "local" | "shared" | "global"; readonly lastError?: string };

const ALLOWED: Acquired = Object.freeze({ allowed: true });

export type Report = { readonly ok: true; readonly latencyMs: number } | { readonly ok: false; readonly kind: FailureKind; readonly error: string };

/** One target as GET /v1/health shows it. */
export interface TargetHealth {
  site: string;
  state: "up" | "down" | "trial";
  since: number;
  until?: number;
  lastError?: string;
  latencyMs?: number;
  /** Which layer the state comes from. */
  source: "local" | "shared" | "global";
}

export interface HealthBoardOptions {
  readonly clock: Clock;
  readonly breaker: BreakerOptions;
  readonly breakers?: Map<string, Breaker>;
  readonly shared?: HealthLayer;
  readonly global?: HealthLayer;
  readonly sharedRefreshMs: number;
  readonly globalRefreshMs: number;
}

interface LayerState {
  readonly layer: HealthLayer;
  readonly refreshMs: number;
  records: Map<string, HealthRecord>;
  readAt: number;
  loaded: boolean;
  /** The read in progress, if any: requests arriving before the first read ends wait on it too. */
  reading: Promise<void> | undefined;
}

export class HealthBoard {
  readonly breakers: Map<string, Breaker>;
  readonly #names: string[];
  readonly #layers: LayerState[];
  /** The layer a breaker's state changes are published to. */
  readonly #shared: LayerState | undefined;
  readonly #lastSuccess = new Map<string, number>();
  readonly #latency = new Map<string, number>();
  /** Shared-layer writes of the transitions of the current report(), handed to its `defer`. */
  readonly #writes: Promise<unknown>[] = [];

  constructor(readonly targets: readonly Target[], private readonly o: HealthBoardOptions) {
    this.breakers = o.breakers ?? new Map();
    this.#names = targets.map((t) => t.name);
    for (const n of this.#names) this.#watch(n, this.breakers.get(n) ?? new Breaker(o.breaker));
    this.#layers = [
      ...(o.shared ? [{ layer: o.shared, refreshMs: o.sharedRefreshMs }] : []),
      ...(o.global ? [{ layer: o.global, refreshMs: o.globalRefreshMs }] : []),
    ].map((l) => ({ ...l, records: new Map(), readAt: 0, loaded: false, reading: undefined }));
    this.#shared = this.#layers.find((l) => l.layer.name === "shared");
  }

  /**
   * Keeps the layer snapshots fresh. Answers a promise to await only until an isolate's first read of a
   * layer ends (so a cold isolate already knows a site is down, for every request that arrives meanwhile);
   * later refreshes run in the background via `defer`.
   */
  refresh(defer: Defer): Promise<void> | undefined {
    const now = this.o.clock.now();
    let first: Promise<void>[] | undefined;
    for (const l of this.#layers) {
      if (l.reading) {
        if (!l.loaded) (first ??= []).push(l.reading);
        continue;
      }
      if (l.loaded && now - l.readAt < l.refreshMs) continue;
      const p = l.layer.read(this.#names).then(
        (records) => { l.records = records; l.loaded = true; l.readAt = this.o.clock.now(); },
        () => { l.loaded = true; l.readAt = this.o.clock.now(); }, // an unreadable layer is an empty one
      ).finally(() => { l.reading = undefined; });
      l.reading = p;
      if (!l.loaded) (first ??= []).push(p);
      else defer(p);
    }
    return first && Promise.all(first).then(() => undefined);
  }

  /** May a send go to this target now? Takes the half-open trial slot when it is the one let through. */
  acquire(site: string): Acquired {
    const now = this.o.clock.now();
    const b = this.#breaker(site);
    if (b.state.kind !== "closed") {
      const r = b.tryAcquire(now);
      if (r.allowed) return ALLOWED;
      return { allowed: false, retryAt: b.retryAt(now), source: "local", lastError: b.state.lastError };
    }
    const remote = this.#remoteDown(site, now);
    if (remote) return { allowed: false, retryAt: remote.record.until ?? now, source: remote.source, lastError: remote.record.lastError };
    return ALLOWED;
  }

  /** Feeds one attempt's result to the target's breaker; a state change is published to the shared layer. */
  report(site: string, r: Report, defer: Defer): void {
    const now = this.o.clock.now();
    const b = this.#breaker(site);
    if (r.ok) {
      this.#lastSuccess.set(site, now);
      const prev = this.#latency.get(site);
      this.#latency.set(site, prev === undefined ? r.latencyMs : prev * 0.8 + r.latencyMs * 0.2);
      b.success(now);
    } else b.failure(now, r.kind, r.error);
    for (const p of this.#writes.splice(0)) defer(p);
  }

  /** Publishes `site`'s breaker opening or closing to the shared layer (the half-open trial is this isolate's own). */
  #publish(site: string, t: Transition): void {
    const shared = this.#shared;
    const s = t.to;
    if (!shared || s.kind === "half_open") return;
    const now = s.since; // the report's time: the transition is stamped with it
    const rec: HealthRecord = s.kind === "open"
      ? { site, state: "down", at: now, until: s.until, lastError: s.lastError, by: "traffic" }
      : { site, state: "up", at: now, by: "traffic", ...(this.#latency.has(site) && { latencyMs: this.#latency.get(site)! }) };
    shared.records.set(site, rec);
    this.#writes.push(shared.layer.write(rec));
  }

  /** Keeps `b` as `site`'s breaker and publishes its transitions. */
  #watch(site: string, b: Breaker): Breaker {
    this.breakers.set(site, b);
    b.on("transition", (t) => this.#publish(site, t));
    return b;
  }

  /** When this target may be tried again (now, when it may already). */
  retryAt(site: string): number {
    const now = this.o.clock.now();
    const b = this.#breaker(site);
    if (b.state.kind !== "closed") return b.retryAt(now);
    return this.#remoteDown(site, now)?.record.until ?? now;
  }

  /** Every target's health, for GET /v1/health and the status page. */
  view(): TargetHealth[] {
    const now = this.o.clock.now();
    return this.#names.map((site) => {
      const s = this.#breaker(site).state;
      const latencyMs = this.#latency.get(site);
      const lat = latencyMs === undefined ? {} : { latencyMs: Math.round(latencyMs * 100) / 100 };
      // Open with its cool-down over: the next send is the trial.
      if (s.kind === "open" && now < s.until) return { site, state: "down", since: s.since, until: s.until, lastError: s.lastError, source: "local", ...lat };
      if (s.kind === "open") return { site, state: "trial", since: s.until, lastError: s.lastError, source: "local", ...lat };
      if (s.kind === "half_open") return { site, state: "trial", since: s.since, lastError: s.lastError, source: "local", ...lat };
      const remote = this.#remoteDown(site, now);
      if (remote) {
        const r = remote.record;
        return { site, state: "down", since: r.at, ...(r.until !== undefined && { until: r.until }), ...(r.lastError !== undefined && { lastError: r.lastError }), source: remote.source, ...lat };
      }
      return { site, state: "up", since: s.since, ...(s.lastError !== undefined && { lastError: s.lastError }), source: "local", ...lat };
    });
  }

  #breaker(site: string): Breaker {
    let b = this.breakers.get(site);
    if (!b) b = this.#watch(site, new Breaker(this.o.breaker));
    return b;
  }

  /** A layer's "down" that still holds and is newer than this isolate's last success there. */
  #remoteDown(site: string, now: number): { record: HealthRecord; source: "shared" | "global" } | undefined {
    const seen = this.#lastSuccess.get(site) ?? -Infinity;
    for (const l of this.#layers) {
      const r = l.records.get(site);
      if (r && r.state === "down" && (r.until ?? 0) > now && r.at > seen) return { record: r, source: l.layer.name };
    }
    return undefined;
  }
}

/**
 * The outbox: delivers every stored event to the customer webhook, at least once, with stable ids. Each
 * delivery is leased in the store to one core (`owner`) for `leaseMs`, so two cores on one PostgreSQL never
 * post the same event at the same time; a core that dies mid-delivery loses its lease and another (or its own
 * restart) picks the event up. Failures retry with jittered exponential backoff; after `maxAttempts` the event
 * is dead-lettered (kept, `dead_at` set, still pullable). Any non-2xx answer is a failure. Order is not
 * guaranteed. Clock, randomness and fetch (via WebhookClient) are injected.
 */
import { Emitter, systemClock, type Clock, type Disposable, type TimerId } from "../../contract/index.ts";
import type { Delivery, Settlement, Store } from "../store/store.ts";
import type { WebhookClient, WebhookResult } from "./webhook.ts";
import type { Wakeup } from "../platform/wakeup.ts";

export interface RetryPolicy {
  /** First retry delay (default 1 s). */
  readonly baseMs: number;
  /** Longest delay (default 10 min). */
  readonly capMs: number;
  /** Attempts before dead letter (default 12). */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, capMs: 10 * 60_000, maxAttempts: 12 };

/** Delay before attempt `attempts + 1`: min(cap, base·2^(attempts-1)), jittered to 50–100 % of it. */
export function backoffMs(p: RetryPolicy, attempts: number, random: () => number = Math.random): number {
  const full = Math.min(p.capMs, p.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full * (0.5 + random() * 0.5));
}

export type DeliveryResult = "delivered" | "retry" | "dead" | "lost_lease";

export interface OutboxOptions {
  readonly store: Store;
  readonly webhook: Pick<WebhookClient, "post">;
  /** This core's lease owner id; unique per process. */
  readonly owner: string;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly retry?: RetryPolicy;
  /** Lease length; longer than a webhook timeout (default 60 s). */
  readonly leaseMs?: number;
  /**
   * Deliveries in flight at once (default 64). `start()` keeps this many posts going, claiming more as each
   * settles, so one slow or stalled receiver connection holds one slot, not a whole round; `runOnce()`
   * claims this many and waits for all.
   */
  readonly batch?: number;
  /**
   * The dead letter, tried again: every `everyMs` the `batch` longest-dead deliveries get one more attempt
   * (dead again at once if it fails). Off when absent.
   */
  readonly deadRetry?: { readonly everyMs: number; readonly batch: number };
  /** Poll interval when idle and not woken (default 1 s). */
  readonly idleMs?: number;
  readonly wakeup?: Wakeup;
}

export interface OutboxEvents {
  /** One delivery attempt settled (or its lease was lost meanwhile). */
  delivery: { readonly result: DeliveryResult; readonly delivery: Delivery };
}

export class Outbox {
  readonly #events = new Emitter<OutboxEvents>();
  readonly #o: OutboxOptions;
  readonly #clock: Clock;
  readonly #retry: RetryPolicy;
  #running = false;
  #timer: TimerId | undefined;
  #round: Promise<unknown> = Promise.resolve();
  #woken: Disposable | undefined;
  #again = false;
  readonly #inFlight = new Set<Promise<void>>();
  #claiming = false;
  #deadTimer: TimerId | undefined;

  constructor(opts: OutboxOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#retry = opts.retry ?? DEFAULT_RETRY;
  }

  on<K extends keyof OutboxEvents>(name: K, fn: (event: OutboxEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /** One round: claims due deliveries, posts them, settles each. Returns how many it claimed. */
  async runOnce(): Promise<number> {
    const now = this.#clock.now();
    const claimed = await this.#o.store.claimDeliveries(this.#o.owner, now, this.#o.leaseMs ?? 60_000, this.#o.batch ?? 64);
    await Promise.all(claimed.map((d) => this.#deliver(d)));
    return claimed.length;
  }

  async #deliver(d: Delivery): Promise<void> {
    const res: WebhookResult = await this.#o.webhook.post(d.event);
    const attempts = d.attempts + 1;
    const now = this.#clock.now();
    const s: Settlement =
      res.result === "delivered" ? { kind: "delivered" }
      : attempts >= this.#retry.maxAttempts ? { kind: "dead", attempts, error: res.error }
      : { kind: "retry", attempts, nextAt: now + backoffMs(this.#retry, attempts, this.#o.random), error: res.error };
    const result: DeliveryResult = (await this.#o.store.settleDelivery(d.cursor, this.#o.owner, s, now)) ? s.kind : "lost_lease";
    this.#events.emit("delivery", { result, delivery: d });
  }

  /**
   * Gives dead-lettered deliveries another chance: `fresh` resets their attempts (the whole retry schedule
   * again: a replay), otherwise they get one more attempt. Returns how many.
   */
  replayDead(limit: number, fresh: boolean): Promise<number> {
    return this.#o.store.replayDead(this.#clock.now(), limit, fresh ? 0 : this.#retry.maxAttempts - 1);
  }

  /** Delivers until stopped: up to `batch` posts in flight, claiming as slots free up; else waits `idleMs` or a wakeup. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#woken = this.#o.wakeup?.on("stored", () => this.#poke());
    this.#fill();
    const dead = this.#o.deadRetry;
    if (dead && dead.everyMs > 0) {
      const tick = () => {
        this.#deadTimer = this.#clock.setTimeout(() => {
          void this.replayDead(dead.batch, false).then((n) => { if (n > 0) this.#poke(); }, () => undefined).finally(() => { if (this.#running) tick(); });
        }, dead.everyMs);
      };
      tick();
    }
  }

  #poke(): void {
    if (!this.#running) return;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#fill();
  }

  /** Claims as many due deliveries as there are free slots (when enough are free) and starts posting them. */
  #fill(): void {
    if (!this.#running) return;
    if (this.#claiming) {
      this.#again = true;
      return;
    }
    const max = this.#o.batch ?? 64;
    const free = max - this.#inFlight.size;
    // Claim in batches, not one row per settled post: at least an eighth of the slots, or all when idle.
    if (free < Math.max(1, max >> 3) && this.#inFlight.size > 0) return;
    this.#again = false;
    this.#claiming = true;
    this.#round = this.#o.store.claimDeliveries(this.#o.owner, this.#clock.now(), this.#o.leaseMs ?? 60_000, free)
      .catch(() => [] as Delivery[]) // store down: try again after the idle wait
      .then((claimed) => {
        this.#claiming = false;
        for (const d of claimed) {
          const p: Promise<void> = this.#deliver(d).catch(() => undefined).finally(() => {
            this.#inFlight.delete(p);
            this.#fill();
          });
          this.#inFlight.add(p);
        }
        if (!this.#running) return;
        if (claimed.length === free || this.#again) return this.#fill();
        if (this.#timer === undefined) {
          this.#timer = this.#clock.setTimeout(() => {
            this.#timer = undefined;
            this.#fill();
          }, this.#o.idleMs ?? 1_000);
        }
      });
  }

  /** Stops claiming; the deliveries in flight settle. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#woken?.dispose();
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    if (this.#deadTimer !== undefined) this.#clock.clearTimeout(this.#deadTimer);
    this.#timer = undefined;
    this.#deadTimer = undefined;
    await this.#round;
    await Promise.all(this.#inFlight);
  }
}

/**
 * Retention: events and MT records older than `retentionMs` are deleted, in bounded batches, by a periodic
 * sweep. An event a webhook delivery still needs (pending or dead-lettered in the outbox) is kept whatever its
 * age. A pull consumer (`GET /v1/events`) further behind than the retention loses what was pruned.
 */
import { Emitter, type Clock, type Disposable } from "../../contract/index.ts";
import type { Store } from "./store.ts";
import { PeriodicSweep } from "../platform/sweep.ts";

export interface RetentionOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly retentionMs: number;
  /** How often it sweeps (default hourly). */
  readonly sweepMs?: number;
  /** Most rows of each kind deleted per transaction (default 5 000). */
  readonly batch?: number;
}

export interface RetentionEvents {
  /** A sweep deleted rows (not emitted when it found nothing to delete). */
  pruned: { readonly events: number; readonly mtRecords: number };
}

export class Retention {
  readonly #sweeper: PeriodicSweep;
  readonly #events = new Emitter<RetentionEvents>();

  constructor(private readonly o: RetentionOptions) {
    this.#sweeper = new PeriodicSweep(o.clock, o.sweepMs ?? 3_600_000, () => this.sweep());
  }

  on<K extends keyof RetentionEvents>(name: K, fn: (event: RetentionEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /** Prunes everything older than the retention, a batch per transaction; answers the totals. */
  async sweep(): Promise<{ events: number; mtRecords: number }> {
    const batch = this.o.batch ?? 5_000;
    const before = this.o.clock.now() - this.o.retentionMs;
    const total = { events: 0, mtRecords: 0 };
    for (;;) {
      const n = await this.o.store.pruneBefore(before, batch);
      total.events += n.events;
      total.mtRecords += n.mtRecords;
      if (n.events < batch && n.mtRecords < batch) break;
    }
    if (total.events + total.mtRecords > 0) this.#events.emit("pruned", total);
    return total;
  }

  start(): void {
    this.#sweeper.start();
  }

  stop(): void {
    this.#sweeper.stop();
  }
}

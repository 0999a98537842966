/**
 * Retention: events and MT records older than `retentionMs` are deleted, in bounded batches, by a periodic
 * sweep (the first a minute after start, so a core restarted more often than hourly still sweeps), paced:
 * after each batch it pauses so that it holds the store at most a share of the time (a batch that took 40 ms at
 * share 0.2 is followed by 160 ms of nothing), and the hot paths' writes run between two batches. The share
 * follows the load: `busyShare` (1/20) when other writes reached the store since the previous batch (MOs,
 * receipts, MTs waiting: on sqlite they queue behind a batch, on PostgreSQL they share its CPU and WAL), `share`
 * (1/5) when the store was otherwise quiet, or when the sweep has run for longer than `sweepMs` (the hot paths
 * write faster than it prunes at the busy pace: the store would grow without end). An event a webhook delivery still needs (pending or dead-lettered in
 * the outbox) is kept whatever its age. A pull consumer (`GET /v1/events`) further behind than the retention
 * loses what was pruned.
 */
import { Emitter, sleep, type Clock, type Disposable } from "../../contract/index.ts";
import type { Store } from "./store.ts";
import { PeriodicSweep } from "../platform/sweep.ts";

export interface RetentionOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly retentionMs: number;
  /** How often it sweeps (default hourly). */
  readonly sweepMs?: number;
  /** The first sweep, this long after start (default a minute). */
  readonly firstSweepMs?: number;
  /**
   * Most rows of each kind deleted per transaction (default 1 000: on sqlite a batch holds the one writer, and
   * 5 000 cost MOs more during a sweep at the same share, test/bench/field-scale.ts).
   */
  readonly batch?: number;
  /** The most of the time the sweep keeps a quiet store busy, 0 < share ≤ 1 (default 0.2). */
  readonly share?: number;
  /** The same while the hot paths write (default 0.05). */
  readonly busyShare?: number;
}

export interface RetentionEvents {
  /** A sweep deleted rows (not emitted when it found nothing to delete). */
  pruned: { readonly events: number; readonly mtRecords: number };
}

const clampShare = (s: number) => Math.min(1, Math.max(0.01, s));

export class Retention {
  readonly #sweeper: PeriodicSweep;
  readonly #events = new Emitter<RetentionEvents>();
  #stopped = false;

  constructor(private readonly o: RetentionOptions) {
    this.#sweeper = new PeriodicSweep(o.clock, o.sweepMs ?? 3_600_000, () => this.sweep(), o.firstSweepMs ?? 60_000);
  }

  on<K extends keyof RetentionEvents>(name: K, fn: (event: RetentionEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /** Prunes everything older than the retention, a batch per transaction, paced; answers the totals. */
  async sweep(): Promise<{ events: number; mtRecords: number }> {
    const { clock, store } = this.o;
    const batch = this.o.batch ?? 1_000;
    const quiet = clampShare(this.o.share ?? 0.2);
    const busy = Math.min(quiet, clampShare(this.o.busyShare ?? 0.05));
    const before = clock.now() - this.o.retentionMs;
    const total = { events: 0, mtRecords: 0 };
    this.#stopped = false;
    const started = clock.monotonic();
    const period = this.o.sweepMs ?? 3_600_000;
    let writes = store.writes();
    while (!this.#stopped) {
      const t0 = clock.monotonic();
      const n = await store.pruneBefore(before, batch);
      total.events += n.events;
      total.mtRecords += n.mtRecords;
      if (n.events < batch && n.mtRecords < batch) break;
      // Writes other than this batch since the previous one ended: the hot paths are busy. Unless the sweep has
      // run for a whole period already: then they write faster than it prunes at the busy pace.
      const others = store.writes() - writes - 1;
      const behind = clock.monotonic() - started > period;
      const share = others > 0 && !behind ? busy : quiet;
      const pause = ((clock.monotonic() - t0) * (1 - share)) / share;
      writes = store.writes();
      // Even without a pause, the event loop turns once: writes waiting for the store go before the next batch.
      await (pause >= 1 ? sleep(clock, pause) : new Promise<void>((r) => setImmediate(r)));
    }
    if (total.events + total.mtRecords > 0) this.#events.emit("pruned", total);
    return total;
  }

  start(): void {
    this.#sweeper.start();
  }

  /** Stops the periodic sweep, and a sweep under way after its current batch. */
  stop(): void {
    this.#stopped = true;
    this.#sweeper.stop();
  }
}

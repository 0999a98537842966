/**
 * Retention: events and MT records older than `retentionMs` are deleted, in bounded batches, by a periodic
 * sweep (the first a minute after start, so a core restarted more often than hourly still sweeps), paced:
 * after each batch it pauses so that it holds the store at most a share of the time (a batch that took 40 ms at
 * share 0.2 is followed by 160 ms of nothing), and the hot paths' writes run between two batches. The share
 * follows the load: `busyShare` (1/20) when the hot paths wrote since the previous batch (MOs, receipts, MTs:
 * on sqlite they queue behind a batch, on PostgreSQL they share its CPU and WAL), `share` (1/5) when they did
 * not, or when the sweep has run for longer than `sweepMs` (they write faster than it prunes at the busy pace:
 * the store would grow without end). An event a webhook delivery still needs (pending or dead-lettered in the
 * outbox) is kept whatever its age. A pull consumer (`GET /v1/events`) further behind than the retention loses
 * what was pruned.
 */
import { Emitter, type Clock, type Disposable, type TimerId } from "../../contract/index.ts";
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
  /** The most of the time the sweep keeps the store busy while the hot paths are quiet, 0 < share ≤ 1 (default 0.2). */
  readonly share?: number;
  /** The same while they write (default 0.05). */
  readonly busyShare?: number;
}

export interface RetentionEvents {
  /** A sweep deleted rows (not emitted when it found nothing to delete). */
  pruned: { readonly events: number; readonly mtRecords: number };
}

const HOURLY = 3_600_000;
const clampShare = (s: number) => Math.min(1, Math.max(0.01, s));

export class Retention {
  readonly #sweeper: PeriodicSweep;
  readonly #events = new Emitter<RetentionEvents>();
  /** How often it sweeps: also how long a sweep runs before it takes the quiet share whatever the load. */
  readonly #sweepMs: number;
  #stopped = false;
  /** The pause under way between two batches: `stop()` ends it at once. */
  #pause: { timer: TimerId; end: () => void } | undefined;

  constructor(private readonly o: RetentionOptions) {
    this.#sweepMs = o.sweepMs ?? HOURLY;
    this.#sweeper = new PeriodicSweep(o.clock, this.#sweepMs, () => this.sweep(), o.firstSweepMs ?? 60_000);
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
    let hotWrites = store.hotWrites();
    while (!this.#stopped) {
      const t0 = clock.monotonic();
      const n = await store.pruneBefore(before, batch);
      total.events += n.events;
      total.mtRecords += n.mtRecords;
      if (n.events < batch && n.mtRecords < batch) break;
      const hotPathsWrote = store.hotWrites() > hotWrites;
      const overdue = clock.monotonic() - started > this.#sweepMs;
      const share = hotPathsWrote && !overdue ? busy : quiet;
      hotWrites = store.hotWrites();
      await this.#rest(((clock.monotonic() - t0) * (1 - share)) / share);
    }
    if (total.events + total.mtRecords > 0) this.#events.emit("pruned", total);
    return total;
  }

  /** Pauses `ms` (ended early by `stop()`); under 1 ms, one turn of the event loop, so waiting writes go first. */
  #rest(ms: number): Promise<void> {
    if (ms < 1) return new Promise<void>((r) => setImmediate(r));
    return new Promise<void>((end) => {
      const timer = this.o.clock.setTimeout(() => {
        this.#pause = undefined;
        end();
      }, ms);
      this.#pause = { timer, end };
    });
  }

  start(): void {
    this.#sweeper.start();
  }

  /** Stops the periodic sweep, and a sweep under way after its current batch (a pause ends at once). */
  stop(): void {
    this.#stopped = true;
    this.#sweeper.stop();
    if (this.#pause) {
      this.o.clock.clearTimeout(this.#pause.timer);
      this.#pause.end();
      this.#pause = undefined;
    }
  }
}

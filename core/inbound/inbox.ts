/**
 * The inbox: every inbound event (MO, receipt) is inserted with its dedup key and acknowledged only after
 * COMMIT. Group commit: the accepts that arrive while a transaction is being written (or in the same tick)
 * go into the next transaction together; each caller gets its own answer, and a store failure rejects every
 * caller of that batch, so the SMPP layer answers an error status and the SMSC delivers again.
 */
import { Emitter, systemClock, type Clock, type Disposable, type Event } from "../../contract/index.ts";
import { GroupCommit } from "../store/group-commit.ts";
import type { Store } from "../store/store.ts";
import type { Wakeup } from "../platform/wakeup.ts";

export type AcceptResult =
  | { readonly stored: true; readonly cursor: number }
  /** `previous`: its `unlessStored` key was stored (content dedup's previous bucket). */
  | { readonly stored: false; readonly duplicate: true; readonly previous?: true };

export interface InboxOptions {
  /** Most events in one transaction (default 1000). */
  readonly maxBatch?: number;
  /** Clock for `stored_at` (default the system clock). */
  readonly clock?: Clock;
  /** Told after each commit that stored at least one event. */
  readonly wakeup?: Wakeup;
  /** false: one transaction per event, the naive alternative (benchmarks only). */
  readonly groupCommit?: boolean;
}

export interface InboxEvents {
  /** A batch committed: events stored and dedup hits (`previous` hits are not counted here: the caller's). */
  committed: { readonly stored: number; readonly duplicates: number };
}

export class Inbox {
  readonly #events = new Emitter<InboxEvents>();
  readonly #store: Store;
  readonly #maxBatch: number;
  readonly #clock: Clock;
  readonly #opts: InboxOptions;
  readonly #batches: GroupCommit<{ event: Event; unlessStored: string | undefined }, AcceptResult>;

  constructor(store: Store, opts: InboxOptions = {}) {
    this.#store = store;
    this.#maxBatch = opts.maxBatch ?? 1000;
    this.#clock = opts.clock ?? systemClock;
    this.#opts = opts;
    this.#batches = new GroupCommit((batch) => this.#write(batch.map((w) => w.event), batch.map((w) => w.unlessStored)), {
      maxBatch: this.#maxBatch,
      onBatchError: "reject_all",
    });
  }

  on<K extends keyof InboxEvents>(name: K, fn: (event: InboxEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }

  /**
   * Stores `event` unless its dedup key is stored already, or `unlessStored` (a second key: an MO's previous
   * dedup bucket) is. Resolves after COMMIT; rejects if the store fails.
   */
  accept(event: Event, unlessStored?: string): Promise<AcceptResult> {
    if (this.#opts.groupCommit === false) return this.#write([event], [unlessStored]).then((r) => r[0]!);
    return this.#batches.submit({ event, unlessStored });
  }

  async #write(events: Event[], unlessStored: (string | undefined)[]): Promise<AcceptResult[]> {
    const rs = await this.#store.insertEvents(events, this.#clock.now(), unlessStored);
    let stored = 0;
    let duplicates = 0;
    const out = rs.map((r): AcceptResult => {
      if (r.inserted) {
        stored++;
        return { stored: true, cursor: r.cursor };
      }
      if (r.previous) return { stored: false, duplicate: true, previous: true };
      duplicates++;
      return { stored: false, duplicate: true };
    });
    this.#events.emit("committed", { stored, duplicates });
    if (stored > 0) this.#opts.wakeup?.notify();
    return out;
  }
}

/**
 * Concatenated MOs, durably: every part is committed (mo_parts) before its deliver_sm_resp; the part that
 * completes a group turns it into ONE MO event in the same transaction. Parts may come in any order, on any
 * bind, site or core. A part known to be redelivered (its answer was lost or late, see InboundDispatcher) is
 * the part stored already; any other part starts or joins a group, so two groups with the same words (two
 * references, or one reference reused) are two events: the later one marked `possibleDuplicate` with the first's
 * id when the content is the same within the window, as for a single-part MO (core/inbound/mo-dedup.ts,
 * docs/mo-duplicates.md).
 *
 * A group still incomplete `limitMs` after its first part (default 24 h, an SMSC's validity period) is delivered
 * as what arrived, each missing part shown as "[…]" in the text (concat.ts GAP), and counted in
 * gsh_mo_groups_total{outcome="incomplete"}: the handset's words are not withheld forever, and the gap is
 * visible. Delivered groups' rows stay as tombstones for another `limitMs`, so a part redelivered late is
 * recognised and does not start a group of its own.
 */
import { Emitter, type Clock, type Disposable, type EventSource } from "../../contract/index.ts";
import type { Logger } from "../platform/log.ts";
import { againMoEvent, contentMoEvent } from "./mo-dedup.ts";
import type { AssembleGroup, MoPartResult, Store } from "../store/store.ts";
import { PeriodicSweep } from "../platform/sweep.ts";
import type { Wakeup } from "../platform/wakeup.ts";
import { assembleText } from "./concat.ts";
import type { MoPart } from "./deliver-event.ts";

/** The default limit for an incomplete group: 24 h. */
export const MO_PARTS_LIMIT_MS = 24 * 60 * 60_000;

export interface MoPartsOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** How long a group may wait for its missing parts (and how long delivered groups are remembered). */
  readonly limitMs?: number;
  /** The MO content dedup window (config inbox.moDedupWindowMs). */
  readonly dedupWindowMs: number;
  /** Sweep period (default min(limitMs / 4, 60 s)). */
  readonly sweepMs?: number;
  readonly wakeup?: Wakeup;
  readonly log?: Logger;
}

export interface MoPartsEvents {
  /** A part accepted (`how: "part"`) or a group released incomplete by the sweep: what it gave. */
  result: { readonly result: MoPartResult; readonly how: "part" | "incomplete" };
}

export class MoParts {
  readonly #events = new Emitter<MoPartsEvents>();
  readonly #o: MoPartsOptions;
  readonly #limit: number;
  readonly #sweeper: PeriodicSweep;

  constructor(o: MoPartsOptions) {
    this.#o = o;
    this.#limit = o.limitMs ?? MO_PARTS_LIMIT_MS;
    this.#sweeper = new PeriodicSweep(o.clock, o.sweepMs ?? Math.max(1, Math.min(this.#limit / 4, 60_000)), () => this.sweep());
  }
  on<K extends keyof MoPartsEvents>(name: K, fn: (event: MoPartsEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }


  /** Stores one part (and, if it completes its group, the MO). Resolves after COMMIT; rejects if the store fails. */
  async accept(part: MoPart, source: EventSource, now: number = this.#o.clock.now(), redelivery = false): Promise<MoPartResult> {
    const r = await this.#o.store.acceptMoPart(
      { groupKey: part.groupKey, seq: part.concat.seq, total: part.concat.total, from: part.from, to: part.to, dataCoding: part.dataCoding, payload: part.payload, source, redelivery },
      now,
      this.#assemble,
    );
    this.#report(r, "part");
    return r;
  }

  /** Delivers the groups past the limit as what arrived; forgets delivered groups past it. */
  async sweep(): Promise<{ incomplete: number; purged: number }> {
    const now = this.#o.clock.now();
    const r = await this.#o.store.releaseMoParts(now - this.#limit, now - this.#limit, now, this.#assemble);
    for (const x of r.released) this.#report(x, "incomplete");
    if (r.released.length) this.#o.log?.warn("concatenated MOs delivered incomplete after the parts limit", { groups: r.released.length, limitMs: this.#limit });
    return { incomplete: r.released.length, purged: r.purged };
  }

  /** Sweeps periodically until stopped. */
  start(): void {
    this.#sweeper.start();
  }

  stop(): void {
    this.#sweeper.stop();
  }

  #report(r: MoPartResult, how: "part" | "incomplete"): void {
    if (r.outcome === "completed" && r.stored) this.#o.wakeup?.notify();
    this.#events.emit("result", { result: r, how });
  }

  /** The group's MO event: text decoded once from the concatenated bytes, keyed by content like any MO. */
  readonly #assemble: AssembleGroup = (g, now) => {
    const { text } = assembleText(g.parts, g.total);
    const mo = { from: g.from, to: g.to, text };
    const { event, previousKey } = contentMoEvent(mo, g.source, now, this.#o.dedupWindowMs);
    return { event, previousKey, again: (firstKey) => againMoEvent(mo, g.source, now, event.dedupKey, firstKey) };
  };
}

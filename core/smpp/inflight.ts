/**
 * The table of requests awaiting a response, keyed by sequence number, with one timer for all
 * of them: entries are kept in send order and share one timeout, so the oldest entry always
 * expires first and a single re-armed timer replaces a timer per request.
 */
import type { Clock, TimerId } from "../../contract/clock.ts";
import type { Pdu } from "./pdu.ts";

/** How a request ended. `timeout` and `closed` mean the outcome at the SMSC is unknown. */
export type Outcome =
  | { kind: "resp"; sequence: number; status: number; pdu: Pdu }
  | { kind: "nack"; sequence: number; status: number }
  | { kind: "timeout"; sequence: number }
  | { kind: "closed"; sequence: number; reason: string };

/** One outstanding request. */
export interface Pending {
  sequence: number;
  /** command_id of the response that completes it. */
  expect: number;
  /** clock time after which it times out; Infinity when a caller times it out itself. */
  deadline: number;
  /** Counts against the submit window. */
  windowed: boolean;
  done(outcome: Outcome): void;
}

export class InFlight {
  readonly #clock: Clock;
  readonly #onExpire: (p: Pending) => void;
  readonly #map = new Map<number, Pending>();
  #windowed = 0;
  #timer: TimerId | undefined;
  readonly #sweep = () => this.sweep();

  /** `onExpire` is called for each entry past its deadline, after it left the table. */
  constructor(clock: Clock, onExpire: (p: Pending) => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  /** Entries counting against the window. */
  get windowed(): number {
    return this.#windowed;
  }

  has(sequence: number): boolean {
    return this.#map.has(sequence);
  }

  /** The entry for `sequence`, if any, left in place. */
  get(sequence: number): Pending | undefined {
    return this.#map.get(sequence);
  }

  add(p: Pending): void {
    this.#map.set(p.sequence, p);
    if (p.windowed) this.#windowed++;
    if (this.#timer === undefined && p.deadline !== Infinity) {
      this.#timer = this.#clock.setTimeout(this.#sweep, Math.max(0, p.deadline - this.#clock.monotonic()));
    }
  }

  /** Removes and returns the entry for `sequence`, if any. */
  take(sequence: number): Pending | undefined {
    const p = this.#map.get(sequence);
    if (p === undefined) return undefined;
    this.#map.delete(sequence);
    if (p.windowed) this.#windowed--;
    return p;
  }

  /** Removes every entry and completes each with `closed`. */
  closeAll(reason: string): number {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const all = [...this.#map.values()];
    this.#map.clear();
    this.#windowed = 0;
    for (const p of all) p.done({ kind: "closed", sequence: p.sequence, reason });
    return all.length;
  }

  /** Expires entries past their deadline and re-arms the timer for the next one. */
  sweep(): void {
    this.#timer = undefined;
    const now = this.#clock.monotonic();
    for (const p of this.#map.values()) {
      if (p.deadline === Infinity) continue;
      if (p.deadline > now) {
        this.#timer = this.#clock.setTimeout(this.#sweep, p.deadline - now);
        return;
      }
      this.take(p.sequence);
      this.#onExpire(p);
    }
  }
}

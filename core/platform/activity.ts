/**
 * What the status page shows besides the binds: MT outcomes and their rate over the last minute, and the
 * most recent inbound events (kind, node, outcome; never a body or a number).
 */
import type { Clock } from "../../contract/index.ts";

export interface RecentInbound {
  readonly at: number;
  readonly kind: "mo" | "receipt";
  readonly node: string;
  readonly outcome: string;
}

const WINDOW_MS = 60_000;

export class RecentActivity {
  readonly totals: Record<string, number> = { accepted: 0, rejected: 0, unknown: 0, mo: 0, receipt: 0, duplicate: 0 };
  #mtTimes: number[] = [];
  #recent: RecentInbound[] = [];

  constructor(private readonly clock: Clock) {}

  mt(status: "accepted" | "rejected" | "unknown"): void {
    this.totals[status] = (this.totals[status] ?? 0) + 1;
    this.#mtTimes.push(this.clock.now());
    if (this.#mtTimes.length > 100_000) this.#mtTimes.splice(0, 50_000);
  }

  inbound(kind: "mo" | "receipt", node: string, outcome: string): void {
    this.totals[kind] = (this.totals[kind] ?? 0) + 1;
    if (outcome === "duplicate") this.totals.duplicate = (this.totals.duplicate ?? 0) + 1;
    this.#recent.push({ at: this.clock.now(), kind, node, outcome });
    if (this.#recent.length > 50) this.#recent.shift();
  }

  /** MTs per second over the last minute (or since start, if shorter). */
  mtRate(): number {
    const now = this.clock.now();
    const from = now - WINDOW_MS;
    while (this.#mtTimes.length && this.#mtTimes[0]! < from) this.#mtTimes.shift();
    return this.#mtTimes.length / (WINDOW_MS / 1000);
  }

  recent(): readonly RecentInbound[] {
    return [...this.#recent].reverse();
  }
}

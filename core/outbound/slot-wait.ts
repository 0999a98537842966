/**
 * Waiting for a free window slot on some ACTIVE bind. This is the only waiting the router does: never on
 * an inactive bind (the Genesys DR guide: "Clients should not queue messages for inactive binds"), and
 * bounded in both time and number of waiters.
 */
import type { Clock } from "../../contract/index.ts";

export class SlotWait {
  #waiters = new Set<() => void>();

  constructor(
    private readonly clock: Clock,
    readonly maxWaiters: number,
  ) {}

  /** `woken` when a slot may have freed, `timeout` after `ms`, `crowded` at once when too many wait already. */
  wait(ms: number): Promise<"woken" | "timeout" | "crowded"> {
    if (this.#waiters.size >= this.maxWaiters) return Promise.resolve("crowded");
    if (ms <= 0) return Promise.resolve("timeout");
    return new Promise((resolve) => {
      const wake = () => {
        this.clock.clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve("woken");
      };
      const timer = this.clock.setTimeout(() => {
        this.#waiters.delete(wake);
        resolve("timeout");
      }, ms);
      this.#waiters.add(wake);
    });
  }

  /** A slot freed somewhere (or a bind came up): every waiter looks again. */
  notify(): void {
    for (const w of [...this.#waiters]) w();
  }
}

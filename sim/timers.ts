// Every timer the simulator starts goes through here, so stop() can cancel them all and runners exit.

/** A set of timers cancelled together. */
export class TimerSet {
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #stopped = false;

  /** Runs `fn` after `ms` unless the set has been cleared. */
  after(ms: number, fn: () => void): ReturnType<typeof setTimeout> | undefined {
    if (this.#stopped) return undefined;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, Math.max(0, ms));
    this.#timers.add(t);
    return t;
  }

  cancel(t: ReturnType<typeof setTimeout> | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.#timers.delete(t);
  }

  /** Cancels everything and refuses new timers. */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

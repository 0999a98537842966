/**
 * "New events were stored": the inbox and correlation notify, the outbox and the event stream wake up
 * instead of waiting for their next poll. Local only; other cores on the same PostgreSQL are seen by polling.
 */
export class Wakeup {
  #listeners = new Set<() => void>();

  /** Calls every listener; a listener's fault never reaches the notifier. */
  notify(): void {
    for (const fn of this.#listeners) {
      try {
        fn();
      } catch {
        /* a listener's problem, not the writer's */
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}

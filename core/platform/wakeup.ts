/**
 * "New events were stored": the inbox and correlation notify, the outbox and the event stream wake up
 * instead of waiting for their next poll. Local only; other cores on the same PostgreSQL are seen by polling.
 */
import { Emitter, type Disposable } from "../../contract/index.ts";

export interface WakeupEvents {
  stored: undefined;
}

export class Wakeup {
  readonly #events = new Emitter<WakeupEvents>();

  /** Wakes every listener; a listener's fault never reaches the notifier. */
  notify(): void {
    this.#events.emit("stored", undefined);
  }

  on<K extends keyof WakeupEvents>(name: K, fn: (event: WakeupEvents[K]) => void): Disposable {
    return this.#events.on(name, fn);
  }
}

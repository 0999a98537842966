/**
 * The one way a part reports what happened (state changes, outcomes to count): a tiny typed emitter whose
 * `on` returns a Disposable. Parts emit and never log or count; the entry point (core/gateway.ts, the edge
 * entries) decides what to log or count. A throwing listener is isolated from the part that emitted.
 */

/** Returned by `on`: call dispose() to stop listening. */
export interface Disposable {
  dispose(): void;
}

/** Typed listeners keyed by event name; `M` maps each name to its payload type. */
export class Emitter<M extends object> {
  readonly #listeners = new Map<keyof M, Set<(e: never) => void>>();

  /** Adds a listener; a throwing listener is isolated from the emitter and other listeners. */
  on<K extends keyof M>(name: K, fn: (event: M[K]) => void): Disposable {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(fn as (e: never) => void);
    return { dispose: () => void set.delete(fn as (e: never) => void) };
  }

  /** Calls every listener of `name` with `event`. */
  emit<K extends keyof M>(name: K, event: M[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const fn of set) {
      try {
        (fn as (e: M[K]) => void)(event);
      } catch (error) {
        // A listener's bug must not corrupt the protocol state machine that emitted the event.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

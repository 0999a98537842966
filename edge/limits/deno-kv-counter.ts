/**
 * Deno KV as the counter store (atomic across every process sharing the KV): read the window's count, then
 * commit count + 1 only if the entry is unchanged (a versionstamp check), retrying on a lost race. The
 * entry expires with its window.
 */
import type { Clock } from "../../contract/clock.ts";
import type { Counter, Decision, Window } from "./counter.ts";

type KvKey = readonly string[];

/** The part of Deno.Kv the counter uses. */
export interface DenoKvAtomicLike {
  get(key: KvKey): Promise<{ value: unknown; versionstamp: string | null }>;
  atomic(): {
    check(e: { key: KvKey; versionstamp: string | null }): ReturnType<DenoKvAtomicLike["atomic"]>;
    set(key: KvKey, value: unknown, options?: { expireIn?: number }): ReturnType<DenoKvAtomicLike["atomic"]>;
    commit(): Promise<{ ok: boolean }>;
  };
}

const TRIES = 8;

export class DenoKvCounter implements Counter {
  constructor(private readonly kv: DenoKvAtomicLike, private readonly clock: Clock) {}

  async hit(key: string, limit: number, w: Window): Promise<Decision> {
    const k = ["edge-limit", key, String(w.start)];
    const expireIn = Math.max(1000, Math.ceil(w.end * 1000 - this.clock.now()) + 1000);
    for (let i = 0; i < TRIES; i++) {
      const cur = await this.kv.get(k);
      const n = (typeof cur.value === "number" ? cur.value : 0) + 1;
      // Over the limit: nothing to write, the count is already past it.
      if (n > limit) return { ok: false, remaining: 0 };
      const r = await this.kv.atomic().check({ key: k, versionstamp: cur.versionstamp }).set(k, n, { expireIn }).commit();
      if (r.ok) return { ok: true, remaining: limit - n };
    }
    // Contention this high means far more than the limit is arriving at once: refuse.
    return { ok: false, remaining: 0 };
  }
}

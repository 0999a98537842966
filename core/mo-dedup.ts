/**
 * MOs that come without an id (SMPP deliver_sm): the dedup key is their content plus a time bucket,
 * `dedupKeys.moByContent(sha256hex(from\0to\0text), floor(receivedAt / window))`. A redelivery is a duplicate
 * when the key exists in the current OR the previous bucket, so a copy is caught for at least one window
 * and at most two after the first (default window 10 min). The same words sent again after that are a new MO.
 * Known limit: two copies straddling a bucket boundary within the same group commit can both be stored.
 */
import { dedupKeys, makeEvent, type EventSource, type InboundMessage } from "../contract/index.ts";
import type { AcceptResult, Inbox } from "./inbox.ts";
import type { Store } from "./store/store.ts";

/** The default MO content dedup window: 10 minutes. */
export const MO_DEDUP_WINDOW_MS = 10 * 60_000;

/** Hex SHA-256, synchronous (Bun's hasher): WebCrypto's async digest cost ~10% of the inbound path. */
export function sha256hex(s: string): string {
  return new Bun.CryptoHasher("sha256").update(s).digest("hex");
}

/**
 * Batches "is this dedup key stored?" lookups: every lookup made in one tick (all the deliver_sm of one socket
 * read, across binds) goes into ONE query instead of one query each, which was the inbound path's largest cost.
 * A failed query rejects every lookup of its batch (the deliver_sm is then answered with an error: redelivered).
 */
export class DedupProbe {
  #batch = new Map<string, { resolve: (found: boolean) => void; reject: (e: unknown) => void }[]>();
  #scheduled = false;

  constructor(private readonly store: Pick<Store, "existingDedupKeys">) {}

  has(key: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const waiters = this.#batch.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.#batch.set(key, [{ resolve, reject }]);
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = new Map();
    this.#scheduled = false;
    try {
      const found = await this.store.existingDedupKeys([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.has(key));
    } catch (e) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
    }
  }
}

/** The dedup keys for an id-less MO received at `receivedAt`: its own bucket and the one before. */
export async function moContentKeys(mo: Pick<InboundMessage, "from" | "to" | "text">, receivedAt: number, windowMs = MO_DEDUP_WINDOW_MS) {
  const hash = sha256hex(`${mo.from}\0${mo.to}\0${mo.text}`);
  const bucket = Math.floor(receivedAt / windowMs);
  return { current: dedupKeys.moByContent(hash, bucket), previous: dedupKeys.moByContent(hash, bucket - 1) };
}

/**
 * Accepts an id-less MO through the inbox with content dedup. Resolves after COMMIT (or the duplicate check);
 * rejects when the store fails.
 */
export async function acceptContentMo(
  deps: { inbox: Inbox; store: Store; onDuplicate?: () => void; /** Batches the previous-bucket lookups (the gateway passes one). */ probe?: DedupProbe },
  mo: InboundMessage,
  source: EventSource,
  receivedAt: number,
  windowMs = MO_DEDUP_WINDOW_MS,
): Promise<AcceptResult> {
  const keys = await moContentKeys(mo, receivedAt, windowMs);
  if (await (deps.probe ? deps.probe.has(keys.previous) : deps.store.hasAnyDedupKey([keys.previous]))) {
    deps.onDuplicate?.();
    return { stored: false, duplicate: true };
  }
  return deps.inbox.accept(await makeEvent("message.received", keys.current, mo, source, new Date(receivedAt)));
}

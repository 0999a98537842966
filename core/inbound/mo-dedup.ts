/**
 * MOs that come without an id (SMPP deliver_sm): the dedup key is their content plus a time bucket,
 * `dedupKeys.moByContent(sha256hex(from\0to\0text), floor(receivedAt / window))`. A redelivery is a duplicate
 * when the key exists in the current OR the previous bucket, so a copy is caught for at least one window
 * and at most two after the first (default window 10 min). The same words sent again after that are a new MO.
 * Both keys are checked in the inbox's write transaction, so copies in one group commit are caught too.
 */
import { dedupKeys, makeEventWith, type Event, type EventSource, type InboundMessage } from "../../contract/index.ts";
import type { AcceptResult, Inbox } from "./inbox.ts";

/** The default MO content dedup window: 10 minutes. */
export const MO_DEDUP_WINDOW_MS = 10 * 60_000;

const hasher = new Bun.CryptoHasher("sha256");

/**
 * Hex SHA-256, synchronous (Bun's hasher, one instance: digest() resets it). WebCrypto's async digest cost
 * ~10% of the inbound path; the core also builds its event ids with it (`makeEventWith`, the same ids).
 */
export function sha256hex(s: string): string {
  return hasher.update(s).digest("hex");
}

/** The dedup keys for an id-less MO received at `receivedAt`: its own bucket and the one before. */
export function moContentKeys(mo: Pick<InboundMessage, "from" | "to" | "text">, receivedAt: number, windowMs = MO_DEDUP_WINDOW_MS) {
  const hash = sha256hex(`${mo.from}\0${mo.to}\0${mo.text}`);
  const bucket = Math.floor(receivedAt / windowMs);
  return { current: dedupKeys.moByContent(hash, bucket), previous: dedupKeys.moByContent(hash, bucket - 1) };
}

/**
 * The event of an id-less MO received at `receivedAt`, keyed by its content's current bucket, and the previous
 * bucket's key: a duplicate when that one is stored (pass it as `unlessStored`).
 */
export function contentMoEvent(
  mo: InboundMessage,
  source: EventSource,
  receivedAt: number,
  windowMs = MO_DEDUP_WINDOW_MS,
): { event: Extract<Event, { type: "message.received" }>; previousKey: string } {
  const keys = moContentKeys(mo, receivedAt, windowMs);
  return { event: makeEventWith(sha256hex, "message.received", keys.current, mo, source, new Date(receivedAt)), previousKey: keys.previous };
}

/**
 * Accepts an id-less MO through the inbox with content dedup: the previous-bucket key is checked inside the
 * inbox's transaction (`unlessStored`), so it costs no query of its own and two copies straddling a bucket
 * boundary in one group commit are still one MO. Resolves after COMMIT; rejects when the store fails.
 */
export async function acceptContentMo(
  deps: { inbox: Inbox },
  mo: InboundMessage,
  source: EventSource,
  receivedAt: number,
  windowMs = MO_DEDUP_WINDOW_MS,
): Promise<AcceptResult> {
  const { event, previousKey } = contentMoEvent(mo, source, receivedAt, windowMs);
  return deps.inbox.accept(event, previousKey);
}

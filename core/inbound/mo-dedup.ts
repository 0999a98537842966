/**
 * MOs that come without an id (SMPP deliver_sm): the first one with some content is keyed by that content plus a
 * time bucket, `dedupKeys.moByContent(sha256hex(from\0to\0text), floor(receivedAt / window))`; a copy is one
 * whose content key exists in the current OR the previous bucket (so for at least one window and at most two
 * after the first, default window 10 min), checked in the inbox's write transaction. A copy is NOT dropped:
 * only a known redelivery is (see acceptContentMo); any other copy is stored too, marked `possibleDuplicate`.
 */
import { dedupKeys, eventIdWith, makeEventWith, type Event, type EventSource, type InboundMessage } from "../../contract/index.ts";
import type { Inbox } from "./inbox.ts";

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
  const hash = contentHash(mo);
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

/** What became of an id-less MO: `key` is the dedup key of the event that stands for it. */
export type ContentMoResult =
  | { readonly stored: true; readonly key: string; readonly cursor: number; readonly possibleDuplicateOf?: string }
  /** A redelivery of the MO stored under `key` (or a copy in the same transaction as that one's redelivery). */
  | { readonly stored: false; readonly key: string };

/**
 * Accepts an id-less MO through the inbox. Two identical MOs never become one, unless this one is known to be a
 * redelivery (`redeliveryOf`: the key of the copy whose deliver_sm_resp never went out, see InboundDispatcher):
 *   - no MO with this content in the window → stored, keyed by content (the current bucket's key);
 *   - one is stored (this or the previous bucket, checked in the inbox's transaction) → stored as well, with a key
 *     of its own, `possibleDuplicate: true` and `duplicateOf` the first one's event id: a lost/late ack's
 *     redelivery and the same words sent again look the same here, so the application decides;
 *   - `redeliveryOf` → the same event as that copy (stored once).
 * Resolves after COMMIT; rejects when the store fails.
 */
export async function acceptContentMo(
  deps: { inbox: Inbox },
  mo: InboundMessage,
  source: EventSource,
  receivedAt: number,
  windowMs = MO_DEDUP_WINDOW_MS,
  redeliveryOf?: string,
): Promise<ContentMoResult> {
  const at = new Date(receivedAt);
  if (redeliveryOf !== undefined) {
    const r = await deps.inbox.accept(makeEventWith(sha256hex, "message.received", redeliveryOf, mo, source, at));
    return r.stored ? { stored: true, key: redeliveryOf, cursor: r.cursor } : { stored: false, key: redeliveryOf };
  }
  const { event, previousKey } = contentMoEvent(mo, source, receivedAt, windowMs);
  const first = await deps.inbox.accept(event, previousKey);
  if (first.stored) return { stored: true, key: event.dedupKey, cursor: first.cursor };
  const marked = againMoEvent(mo, source, receivedAt, event.dedupKey, first.previous ? previousKey : event.dedupKey);
  const again = await deps.inbox.accept(marked);
  if (!again.stored) throw new Error("a fresh dedup key was found stored"); // cannot happen: the key is new
  return { stored: true, key: marked.dedupKey, cursor: again.cursor, possibleDuplicateOf: marked.data.duplicateOf! };
}

/**
 * An MO with the content of one stored in the window (dedup key `firstKey`), not known to be its redelivery: an
 * event of its own (a fresh key after `contentKey`), `possibleDuplicate: true`, `duplicateOf` the first's event id.
 */
export function againMoEvent(mo: InboundMessage, source: EventSource, receivedAt: number, contentKey: string, firstKey: string): Extract<Event, { type: "message.received" }> {
  const key = `${contentKey}:again:${receivedAt}:${crypto.randomUUID()}`;
  return makeEventWith(sha256hex, "message.received", key, { ...mo, possibleDuplicate: true, duplicateOf: eventIdWith(sha256hex, firstKey) }, source, new Date(receivedAt));
}

/** The hex SHA-256 of an MO's content, as its content dedup key holds it. */
export function contentHash(mo: Pick<InboundMessage, "from" | "to" | "text">): string {
  return sha256hex(`${mo.from}\0${mo.to}\0${mo.text}`);
}

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

export async function sha256hex(s: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
  let hex = "";
  for (const b of d) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** The dedup keys for an id-less MO received at `receivedAt`: its own bucket and the one before. */
export async function moContentKeys(mo: Pick<InboundMessage, "from" | "to" | "text">, receivedAt: number, windowMs = MO_DEDUP_WINDOW_MS) {
  const hash = await sha256hex(`${mo.from}\0${mo.to}\0${mo.text}`);
  const bucket = Math.floor(receivedAt / windowMs);
  return { current: dedupKeys.moByContent(hash, bucket), previous: dedupKeys.moByContent(hash, bucket - 1) };
}

/**
 * Accepts an id-less MO through the inbox with content dedup. Resolves after COMMIT (or the duplicate check);
 * rejects when the store fails.
 */
export async function acceptContentMo(
  deps: { inbox: Inbox; store: Store; onDuplicate?: () => void },
  mo: InboundMessage,
  source: EventSource,
  receivedAt: number,
  windowMs = MO_DEDUP_WINDOW_MS,
): Promise<AcceptResult> {
  const keys = await moContentKeys(mo, receivedAt, windowMs);
  if (await deps.store.hasAnyDedupKey([keys.previous])) {
    deps.onDuplicate?.();
    return { stored: false, duplicate: true };
  }
  return deps.inbox.accept(await makeEvent("message.received", keys.current, mo, source, new Date(receivedAt)));
}

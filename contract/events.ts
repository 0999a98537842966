/**
 * Inbound traffic as contract events: an MO (`message.received`) or a delivery receipt (`message.status`).
 * Every event has a dedup key computed from what identifies it at Genesys, and an id derived from that key,
 * so the same MO or receipt arriving twice (another bind, another site, a callback retry, another core)
 * becomes the same event and is stored once.
 */
import { z } from "zod";
import { sha256 } from "./digest.ts";
import { toHex } from "./hex.ts";
import { Attachment } from "./message.ts";
import { MessageStateName } from "./message-state.ts";

export const Channel = z.enum(["smpp", "http"]);

export const EventSource = z.object({
  channel: Channel,
  site: z.string().optional(),
  node: z.string().optional(),
});
export type EventSource = z.infer<typeof EventSource>;

/** An MO: a message from a handset to one of our senders. */
export const InboundMessage = z.object({
  /** E.164 with `+`. */
  from: z.string(),
  /** Our short code / number, as Genesys gave it. */
  to: z.string(),
  text: z.string(),
  carrier: z.string().optional(),
  /** Genesys' id for the MO, when it gave one (HTTP callbacks). */
  genesysMessageId: z.string().optional(),
  attachments: z.array(Attachment).optional(),
  /**
   * Set on an id-less (SMPP) MO with the same sender, recipient and text as an earlier one (`duplicateOf`, its
   * event id) within the dedup window, when the gateway cannot tell a redelivery of that one (its acknowledgement
   * lost or late) from the same words sent again: both are delivered, the application decides.
   */
  possibleDuplicate: z.literal(true).optional(),
  duplicateOf: z.string().optional(),
});
export type InboundMessage = z.infer<typeof InboundMessage>;

/** A delivery receipt for one of our MTs. One MT can have several (every carrier receipt is forwarded). */
export const DeliveryReport = z.object({
  /** Our message id, when known (HTTP callbacks carry it; SMPP receipts are correlated to it). */
  clientMessageId: z.string().optional(),
  /** The SMSC message id the receipt names (SMPP path), normalised. */
  smscMessageId: z.string().optional(),
  state: MessageStateName,
  stateCode: z.number().int().min(1).max(8),
  resultCode: z.number().int().optional(),
  networkErrorCode: z.string().optional(),
  /** The receipt text's `err:` field. */
  errorCode: z.string().optional(),
  appId: z.string().optional(),
  conversationId: z.string().optional(),
  /** The receipt text's `done date`, ISO, when present. */
  doneAt: z.string().optional(),
});
export type DeliveryReport = z.infer<typeof DeliveryReport>;

const envelope = {
  /** Stable: derived from the dedup key. */
  id: z.string().regex(/^evt_[0-9a-f]{32}$/),
  dedupKey: z.string().min(1).max(512),
  /** When we received it, ISO 8601. */
  receivedAt: z.iso.datetime(),
  source: EventSource,
};

export const Event = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message.received"), ...envelope, data: InboundMessage }),
  z.object({ type: z.literal("message.status"), ...envelope, data: DeliveryReport }),
]);
export type Event = z.infer<typeof Event>;
export type EventType = Event["type"];

/** The event id for a dedup key: `evt_` + the first 128 bits of SHA-256(key), hex (WebCrypto, every runtime). */
export async function eventIdFor(dedupKey: string): Promise<string> {
  return `evt_${toHex((await sha256(dedupKey)).subarray(0, 16))}`;
}

/**
 * A synchronous SHA-256 of a string's UTF-8 bytes, as lower-case hex (64 digits). The contract uses no
 * runtime API: a runtime that has one passes it in (the core: Bun.CryptoHasher), which skips WebCrypto's
 * async round trip per event on hot paths.
 */
export type Sha256Hex = (text: string) => string;

/** `eventIdFor` with a synchronous hasher: the same id. */
export function eventIdWith(sha256hex: Sha256Hex, dedupKey: string): string {
  return `evt_${sha256hex(dedupKey).slice(0, 32)}`;
}

/** Dedup keys. Kept in one place so the edge (HTTP callbacks) and the core (SMPP) agree. */
export const dedupKeys = {
  /** An MO Genesys gave an id to. */
  moById: (genesysMessageId: string) => `mo:id:${genesysMessageId}`,
  /**
   * An MO without an id (SMPP deliver_sm): its content plus a time bucket, so a redelivery within the
   * window is the same event while the same words sent again later are a new one. `contentHash` is the
   * hex SHA-256 of `from\0to\0text`. The bucket comes first: keys sort by time, so a new key lands at the end of
   * the store's unique dedup index, not on a page of its own among 30 days of keys (MOs at 10M stored rows: 75 %
   * of the empty store's rate on sqlite, 84 % on PostgreSQL, keyed hash first; test/bench/field-scale.ts).
   */
  moByContent: (contentHash: string, bucket: number) => `mo:sum:${bucket}:${contentHash}`,
  /** A receipt: which message, which state, when; a carrier's second receipt (other state or time) is new. */
  receipt: (messageRef: string, stateCode: number, detail: string) => `dr:${messageRef}:${stateCode}:${detail}`,
} as const;

/**
 * The forms an SMSC message id may take in a receipt: SMSCs write the same id as hex in submit_sm_resp and
 * as decimal in the receipt, or the reverse, with or without leading zeros. Returns every canonical
 * (lower-case hex, no leading zeros) reading of the id; a submit and a receipt correlate when their sets meet.
 */
export function smscMessageIdForms(id: string): string[] {
  const t = id.trim().replace(/^0x/i, "");
  if (t === "") return [];
  const forms = new Set<string>();
  if (/^[0-9a-fA-F]+$/.test(t)) forms.add(t.toLowerCase().replace(/^0+(?=.)/, ""));
  if (/^[0-9]+$/.test(t) && t.length <= 30) forms.add(BigInt(t).toString(16));
  if (forms.size === 0) forms.add(t);
  return [...forms];
}

type EventOf<T extends EventType> = Extract<Event, { type: T }>;

/** Builds an event: its id comes from the dedup key, so the same input always yields the same event. */
export async function makeEvent<T extends EventType>(
  type: T,
  dedupKey: string,
  data: EventOf<T>["data"],
  source: EventSource,
  receivedAt: Date,
): Promise<EventOf<T>> {
  return { type, id: await eventIdFor(dedupKey), dedupKey, receivedAt: receivedAt.toISOString(), source, data } as EventOf<T>;
}

/** `makeEvent` with a synchronous hasher (see `Sha256Hex`): the same event, without an await. */
export function makeEventWith<T extends EventType>(
  sha256hex: Sha256Hex,
  type: T,
  dedupKey: string,
  data: EventOf<T>["data"],
  source: EventSource,
  receivedAt: Date,
): EventOf<T> {
  return { type, id: eventIdWith(sha256hex, dedupKey), dedupKey, receivedAt: receivedAt.toISOString(), source, data } as EventOf<T>;
}

/**
 * What a caller sends: one outbound message (MT), the same shape for the edge (HTTP path) and the core
 * (SMPP path). Parsing normalises phone numbers to Genesys digits.
 */
import { z } from "zod";
import { isPossibleNumber } from "./destination.ts";
import { PhoneNumber, Sender, toGenesysDigits } from "./phone.ts";
import { toHex } from "./hex.ts";
import { validate as matchesOutboundSchema } from "./outbound-message.check.ts";
import { fromZod, ok, type Result } from "./result.ts";

const CLIENT_MESSAGE_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** What a client message id (body field or Idempotency-Key header) must be, as said to callers. */
export const CLIENT_MESSAGE_ID_RULE = "must be 1-64 characters of A-Z a-z 0-9 . _ : -";
/** The header check of the HTTP APIs: the schema's own pattern, without a zod parse on the hot path. */
export const isClientMessageId = (s: string): boolean => CLIENT_MESSAGE_ID.test(s);

/** Genesys `message_id`: chosen by the client, unique; reused verbatim on failover so Genesys can dedup. */
export const ClientMessageId = z.string().regex(CLIENT_MESSAGE_ID, CLIENT_MESSAGE_ID_RULE);
export type ClientMessageId = z.infer<typeof ClientMessageId>;

export const Priority = z.enum(["BULK_LOW", "BULK", "INTERACTIVE_LOW", "INTERACTIVE"]);
export type Priority = z.infer<typeof Priority>;

/** Attachment content, here and in Genesys' MMS callback fields. */
export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const Attachment = z.object({
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, "must be a MIME type like image/png"),
  /** base64 */
  content: z.string().regex(BASE64, "must be base64").max(1_400_000, "attachment over ~1 MB"),
});
export type Attachment = z.infer<typeof Attachment>;

/** Longest text we accept (10 concatenated GSM segments); Genesys answers 8 for what it finds too long. */
export const MAX_TEXT_LENGTH = 1600;

export const OutboundMessage = z
  .object({
    to: PhoneNumber,
    sender: Sender,
    text: z.string().min(1, "must not be empty").max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`),
    clientMessageId: ClientMessageId.optional(),
    receipt: z.boolean().default(false),
    appId: z.string().max(128).optional(),
    conversationId: z.string().max(128).optional(),
    priority: Priority.optional(),
    carrier: z.string().max(64).optional(),
    attachments: z.array(Attachment).max(10).optional(),
  })
  .strict();

/** A parsed, normalised MT: `to`/`sender` are Genesys digits. */
export type OutboundMessage = z.output<typeof OutboundMessage>;
/** What a caller may send (E.164 or digits, `receipt` optional). */
export type OutboundMessageInput = z.input<typeof OutboundMessage>;

/**
 * Parses and normalises an MT. Inputs that the generated check (outbound-message.check.ts: this schema
 * compiled by Ajv, see tools/codegen/outbound-check.ts) accepts, with no whitespace around `sender` (the one
 * field whose pattern admits spaces, which zod trims), are normalised here as zod would; every other
 * input goes through zod, which decides and names the problems. On the edge's hot path this keeps zod's
 * parse (a few µs of the isolate's thread per request under load, see tools/codegen/outbound-check.ts) off
 * valid messages; a property test holds the two paths to the same answers (test/contract/outbound-check.test.ts).
 */
export function parseOutboundMessage(input: unknown): Result<OutboundMessage> {
  // The schema's pattern checks the number's form; libphonenumber (which no JSON Schema can say) its length.
  if (matchesOutboundSchema(input) && (input as OutboundMessageInput).sender.trim() === (input as OutboundMessageInput).sender
    && isPossibleNumber((input as OutboundMessageInput).to.trim())) {
    return ok(normaliseChecked(input as OutboundMessageInput));
  }
  return fromZod(OutboundMessage.safeParse(input));
}

/** What zod's transforms do to an input it accepts: numbers as Genesys digits, receipt's default, attachments' known fields only. */
function normaliseChecked(m: OutboundMessageInput): OutboundMessage {
  const out: OutboundMessage = { ...m, to: toGenesysDigits(m.to), sender: toGenesysDigits(m.sender), receipt: m.receipt ?? false };
  if (m.attachments) out.attachments = m.attachments.map((a) => ({ contentType: a.contentType, content: a.content }));
  return out;
}

/** A fresh message id for callers that gave none: sortable by time, unique, safe for Genesys. */
export function newClientMessageId(now: number = Date.now()): string {
  const rand = crypto.getRandomValues(new Uint8Array(8));
  return `m-${now.toString(36)}-${toHex(rand)}`;
}

/**
 * Phone numbers. Our API takes E.164 (`+12025550100`) or Genesys' own form (international digits, no `+`);
 * Genesys is always sent digits. Anything else is refused with a message a caller can act on.
 */
import { z } from "zod";

const E164ISH = /^\+?[1-9]\d{6,14}$/;

/** Genesys wire form: international digits without `+`. */
export function toGenesysDigits(input: string): string {
  return input.startsWith("+") ? input.slice(1) : input;
}

/** Caller-facing form: E.164 with `+`. */
export function toE164(digits: string): string {
  return digits.startsWith("+") ? digits : `+${digits}`;
}

/** A phone number as our API accepts it, output as Genesys digits. */
export const PhoneNumber = z
  .string()
  .trim()
  .regex(E164ISH, "must be an international number: E.164 (+12025550100) or digits without '+' (12025550100), 7 to 15 digits, no spaces")
  .transform(toGenesysDigits);

/** A sender: a short code (digits) or an alphanumeric sender id of up to 11 characters, as enabled on the account. */
export const Sender = z
  .string()
  .trim()
  .regex(/^(\+?\d{3,15}|[A-Za-z0-9 ._-]{1,11})$/, "must be a short code / long number (digits) or an alphanumeric sender of at most 11 characters")
  .transform(toGenesysDigits);

/**
 * Phone numbers. Our API takes E.164 (`+12025550100`) or Genesys' own form (international digits, no `+`);
 * Genesys is always sent digits. The form is checked by a pattern (E.164: at most 15 digits, no leading 0),
 * the number by libphonenumber (destination.ts): it must be a possible number, a length its country uses.
 * Anything else is refused with a message a caller can act on.
 */
import { z } from "zod";
import { isPossibleNumber } from "./destination.ts";

const E164_FORM = /^\+?[1-9]\d{1,14}$/;
/** What a caller is told about a `to` that is not a possible number. */
export const PHONE_NUMBER_RULE = "must be an international number: E.164 (+12025550100) or digits without '+' (12025550100), no spaces, of a length its country uses";

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
  .regex(E164_FORM, { message: PHONE_NUMBER_RULE, abort: true }) // one issue per number: the length is not checked too
  .refine(isPossibleNumber, PHONE_NUMBER_RULE)
  .transform(toGenesysDigits);

/** A sender: a short code (digits) or an alphanumeric sender id of up to 11 characters, as enabled on the account. */
export const Sender = z
  .string()
  .trim()
  .regex(/^(\+?\d{3,15}|[A-Za-z0-9 ._-]{1,11})$/, "must be a short code / long number (digits) or an alphanumeric sender of at most 11 characters")
  .transform(toGenesysDigits);

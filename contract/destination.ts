/**
 * What a destination number is, by `libphonenumber-js` (Google's libphonenumber metadata): whether it is a
 * possible number (a length its country uses), a valid one (in an assigned range), its country and its type
 * (mobile, fixed line, premium rate, …). The contract refuses impossible numbers (phone.ts); the edge's
 * destination rules refuse invalid ones, countries off its allow-list and refused types (premium rate).
 *
 * Metadata: "max", on purpose. Only it has the per-type patterns that tell a premium-rate number from a
 * mobile one and the ranges that make `isValid` mean "assigned" rather than "right length" ("min" has
 * neither: its `getType()` is always undefined). It costs ~150 kB more in the worker bundle (see the notes
 * for the measured figures). A parse is a few µs; the facts of the last numbers seen are kept (bounded), as
 * the contract and the edge ask about the same number within one request and callers repeat numbers.
 */
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode, type NumberType } from "libphonenumber-js/max";

export type { NumberType };

export interface NumberFacts {
  /** A length the number's country uses. */
  readonly possible: boolean;
  /** In a range the country has assigned. */
  readonly valid: boolean;
  /** ISO 3166 region (GB, GG, US, JM …), when the number belongs to one. */
  readonly country?: string;
  /** The country calling code, digits (44, 1 …). */
  readonly callingCode: string;
  readonly type?: NumberType;
}

const CACHE_MAX = 1024;
const cache = new Map<string, NumberFacts | null>();

/** Facts about an international number (E.164 with or without `+`); null when it cannot be read as one. */
export function numberFacts(input: string): NumberFacts | null {
  const digits = input.startsWith("+") ? input.slice(1) : input;
  const hit = cache.get(digits);
  if (hit !== undefined) return hit;
  const n = parsePhoneNumberFromString(`+${digits}`);
  const type = n?.getType();
  const facts: NumberFacts | null = n
    ? { possible: n.isPossible(), valid: n.isValid(), callingCode: n.countryCallingCode, ...(n.country && { country: n.country }), ...(type && { type }) }
    : null;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(digits, facts);
  return facts;
}

/** Is it a possible international number (its country's lengths)? What the contract requires of `to`. */
export const isPossibleNumber = (input: string): boolean => numberFacts(input)?.possible === true;

/** The ISO regions libphonenumber knows, and their calling codes: what a destination allow-list may name. */
export const KNOWN_REGIONS: ReadonlySet<string> = new Set(getCountries());
export const KNOWN_CALLING_CODES: ReadonlySet<string> = new Set(getCountries().map((c: CountryCode) => String(getCountryCallingCode(c))));

/** The number types libphonenumber tells apart. */
export const NUMBER_TYPES: readonly NumberType[] = [
  "PREMIUM_RATE", "TOLL_FREE", "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER", "UAN", "VOICEMAIL", "FIXED_LINE_OR_MOBILE", "FIXED_LINE", "MOBILE",
] as NumberType[];

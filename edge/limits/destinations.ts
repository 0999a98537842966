/**
 * Destination rules against SMS pumping (toll fraud through an exposed send endpoint): a number must be
 * valid (in a range its country assigned, by libphonenumber: contract/destination.ts), in a country on the
 * allow-list when one is configured, and not of a refused type (premium rate by default). A refusal is
 * 422 problem+json naming the rule; nothing is sent.
 */
import { numberFacts, type NumberType } from "../../contract/destination.ts";
import { ProblemError } from "../../contract/problem.ts";

export interface DestinationRules {
  /** Allowed destinations: ISO regions (GB, US) and/or calling codes (44, 1); absent: every country. */
  readonly countries?: { readonly regions: ReadonlySet<string>; readonly callingCodes: ReadonlySet<string> };
  /** Number types refused (default PREMIUM_RATE, SHARED_COST). */
  readonly refusedTypes: ReadonlySet<NumberType>;
}

export type DestinationRule = "invalid_number" | "country" | "number_type";

const refused = (rule: DestinationRule, detail: string, extras: Record<string, unknown> = {}) =>
  new ProblemError({ type: "destination-refused", detail, extensions: { rule, ...extras } });

/** Throws the 422 for a destination (Genesys digits) the rules refuse. */
export function checkDestination(rules: DestinationRules, digits: string): void {
  const f = numberFacts(digits);
  if (!f || !f.valid) throw refused("invalid_number", "the destination is not a valid number (no country assigns it)");
  const allowed = rules.countries;
  if (allowed && !(allowed.callingCodes.has(f.callingCode) || (f.country !== undefined && allowed.regions.has(f.country)))) {
    throw refused("country", `sending to ${f.country ?? `+${f.callingCode}`} is not allowed (DESTINATION_COUNTRIES)`, { country: f.country ?? null });
  }
  if (f.type !== undefined && rules.refusedTypes.has(f.type)) {
    throw refused("number_type", `${f.type.toLowerCase().replace(/_/g, "-")} numbers are refused (DESTINATION_REFUSED_TYPES)`, { numberType: f.type });
  }
}

/**
 * Genesys HTTP API result codes and what a client should do with each. The class drives the edge's
 * failover policy: only `retryable` may go to the other site (with the same message_id), `duplicate`
 * after a retry means the first attempt was taken. `unmapped` (99) is Genesys' own "unmapped error,
 * contact your account manager": a definite answer that the message was not taken and that retrying,
 * here or at the other site, is not what Genesys asks for; it is reported, not retried.
 */
export type ResultClass = "accepted" | "client_error" | "throttled" | "duplicate" | "retryable" | "unmapped";

export interface ResultCodeInfo {
  readonly code: number;
  readonly name: string;
  readonly class: ResultClass;
  readonly description: string;
}

const table = [
  [0, "accepted", "accepted", "message accepted"],
  [1, "invalid_parameters", "client_error", "parameters missing or invalid"],
  [2, "authentication_failed", "client_error", "authentication failed"],
  [3, "unknown_carrier", "client_error", "unknown carrier"],
  [4, "invalid_short_code", "client_error", "invalid short code"],
  [5, "short_code_not_allowed", "client_error", "short code not approved or not allowed on this carrier"],
  [6, "throttled", "throttled", "throttled: resubmit later"],
  [7, "duplicate_message_id", "duplicate", "duplicate message_id"],
  [8, "body_too_long", "client_error", "message body too long"],
  [98, "internal_error", "retryable", "Genesys internal error"],
  [99, "unmapped_error", "unmapped", "unmapped error: contact your Genesys account manager"],
] as const satisfies readonly (readonly [number, string, ResultClass, string])[];

/** Every documented result code, by number. */
export const RESULT_CODES: ReadonlyMap<number, ResultCodeInfo> = new Map(
  table.map(([code, name, cls, description]) => [code, Object.freeze({ code, name, class: cls, description })]),
);

/**
 * The info for a code. An undocumented code is ambiguous (retryable with the same id, like 98): nothing says
 * whether the message was taken, and the same message_id makes a retry safe where the other site dedups.
 */
export function resultCodeInfo(code: number): ResultCodeInfo {
  return RESULT_CODES.get(code) ?? { code, name: "undocumented", class: "retryable", description: `undocumented result code ${code}` };
}

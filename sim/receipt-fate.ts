// What the carrier reports for one MT (SMPP: one submit_sm, i.e. one segment; HTTP: one message_id): a final
// state drawn from the configured mix, with an error code when it failed, and whether an ENROUTE comes first,
// comes after the final (out of order), or not at all. Decided once, at accept time, and recorded in the ledger
// (receiptFates) so tests can compare what the gateway reports with what the simulator decided.
import type { SimContext } from "./context.ts";
import { FINAL_STATES, type FinalState, type ReceiptShares } from "./types.ts";

export const DEFAULT_RECEIPTS: Required<ReceiptShares> = {
  otherSiteShare: 0, duplicateShare: 0, earlyShare: 0, delayMs: 0,
  mix: { DELIVERED: 1 }, enrouteShare: 0, lateEnrouteShare: 0, freeTextShare: 0,
};

/**
 * Carrier receipts as a live service sends them: most delivered, some failed each way; half with an ENROUTE
 * first, a third of those arriving after the final; a fifth in the carrier's own words. What `npm run demo` and
 * the chaos run use (the default stays one DELIVERED, which the simulator's own tests rely on).
 */
export const REALISTIC_RECEIPTS: Pick<Required<ReceiptShares>, "mix" | "enrouteShare" | "lateEnrouteShare" | "freeTextShare"> = {
  mix: { DELIVERED: 0.7, UNDELIVERABLE: 0.1, EXPIRED: 0.1, REJECTED: 0.1 }, enrouteShare: 0.5, lateEnrouteShare: 0.33, freeTextShare: 0.2,
};

export type ReceiptState = FinalState | "ENROUTE";

export interface ReceiptFate {
  final: FinalState;
  /** The carrier's error (SMPP `err:`, 3 digits) for a final state other than DELIVERED. */
  errorCode?: string;
  enroute: "none" | "before" | "after";
}

/** SMPP 3.4 message_state values (TLV 0x0427; the HTTP callback's message_state). */
export const STATE_CODE: Record<ReceiptState, number> = { ENROUTE: 1, DELIVERED: 2, EXPIRED: 3, UNDELIVERABLE: 5, REJECTED: 8 };
/** The `stat:` word of an SMPP receipt text. */
export const STAT_WORD: Record<ReceiptState, string> = { ENROUTE: "ENROUTE", DELIVERED: "DELIVRD", EXPIRED: "EXPIRED", UNDELIVERABLE: "UNDELIV", REJECTED: "REJECTD" };
/** The HTTP callback's result_code per state (the published receipt table: 1 rejected upstream, 99 unmapped). */
export const RESULT_CODE: Record<ReceiptState, string> = { ENROUTE: "0", DELIVERED: "0", EXPIRED: "99", UNDELIVERABLE: "1", REJECTED: "1" };
/** Carrier error codes for failures, one per state (what `err:` carries). */
const ERROR_CODE: Record<Exclude<FinalState, "DELIVERED">, string> = { UNDELIVERABLE: "034", EXPIRED: "254", REJECTED: "088" };

/** Draws an MT's fate: the final state by the mix's weights, then ENROUTE before, after or none. */
export function drawFate(ctx: SimContext): ReceiptFate {
  const r = ctx.config.receipts;
  const weights = FINAL_STATES.map((s) => Math.max(0, r.mix[s] ?? 0));
  const total = weights.reduce((a, b) => a + b, 0);
  // No draw where nothing is left to chance (one state, no ENROUTE): tests with scripted randomness keep their draws.
  const states = weights.filter((w) => w > 0).length;
  let pick = states > 1 ? ctx.random() * total : 0;
  let final: FinalState = "DELIVERED";
  if (total > 0) {
    for (const [i, w] of weights.entries()) {
      if (pick < w) { final = FINAL_STATES[i]!; break; }
      pick -= w;
    }
  }
  const enroute = r.enrouteShare > 0 && ctx.random() < r.enrouteShare ? (ctx.random() < r.lateEnrouteShare ? "after" : "before") : "none";
  return { final, ...(final !== "DELIVERED" && { errorCode: ERROR_CODE[final] }), enroute };
}

/** The receipts of a fate, in the order they are sent. */
export function receiptStates(f: ReceiptFate): ReceiptState[] {
  return f.enroute === "before" ? ["ENROUTE", f.final] : f.enroute === "after" ? [f.final, "ENROUTE"] : [f.final];
}

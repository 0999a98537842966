/**
 * A long MT's state from its segments' receipts (SMPP: each segment is a submit of its own, with a receipt of
 * its own). Each segment's state is its highest-ranked receipt (`stateRank`); the message is failed as soon as
 * one segment failed (the highest-ranked failure), DELIVERED only once every segment is, and otherwise the
 * highest pending state, a delivered segment counting as ENROUTE. Receipts only add to a segment's rank, so
 * the aggregate only moves up the rank too, whatever order the receipts come in.
 */
import { smscMessageIdForms } from "./events.ts";
import type { MessageStateName } from "./message-state.ts";
import { nextState, stateRank, type MessageReceipt, type MessageSegments } from "./message-status.ts";

const DELIVERED_RANK = stateRank("DELIVERED");

/** A long MT's parts as recorded: `total` segments, the accepted ones (0-based index, SMSC id). */
export interface SegmentRecord {
  readonly total: number;
  readonly accepted: readonly { readonly segment: number; readonly smscMessageId: string }[];
}

function aggregate(total: number, states: readonly (MessageStateName | undefined)[]): MessageStateName | undefined {
  let failed: MessageStateName | undefined;
  let pending: MessageStateName | undefined;
  let delivered = 0;
  for (const s of states) {
    if (s === undefined) continue;
    if (stateRank(s) > DELIVERED_RANK) failed = nextState(failed, s);
    else if (s === "DELIVERED") {
      delivered++;
      pending = nextState(pending, "ENROUTE");
    } else pending = nextState(pending, s);
  }
  if (failed) return failed;
  return delivered === total ? "DELIVERED" : pending;
}

/**
 * The segments view and the message's aggregate state (with the receivedAt of the receipt that last moved it),
 * folding the receipts in the order they were stored. Receipts that name no recorded segment are left out.
 */
export function segmentState(rec: SegmentRecord, receipts: readonly MessageReceipt[]): { segments: MessageSegments; state?: MessageStateName; stateAt?: string } {
  const seqOf = new Map<string, number>();
  for (const a of rec.accepted) for (const f of smscMessageIdForms(a.smscMessageId)) seqOf.set(f, a.segment);
  const states: (MessageStateName | undefined)[] = Array.from({ length: rec.total }, () => undefined);
  let state: MessageStateName | undefined;
  let stateAt: string | undefined;
  for (const r of receipts) {
    const seg = r.smscMessageId === undefined ? undefined : smscMessageIdForms(r.smscMessageId).map((f) => seqOf.get(f)).find((x) => x !== undefined);
    if (seg === undefined || seg >= rec.total) continue;
    states[seg] = nextState(states[seg], r.state);
    const next = aggregate(rec.total, states);
    if (next !== state) [state, stateAt] = [next, r.receivedAt];
  }
  const ids = new Map(rec.accepted.map((a) => [a.segment, a.smscMessageId]));
  const parts = states.map((s, i) => ({ seq: i + 1, ...(ids.has(i) && { smscMessageId: ids.get(i)! }), ...(s !== undefined && { state: s }) }));
  return { segments: { total: rec.total, accepted: ids.size, parts }, ...(state && { state }), ...(stateAt && { stateAt }) };
}

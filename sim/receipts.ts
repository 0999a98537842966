// Delivery receipts for accepted MTs. Each MT has a fate (receipt-fate.ts: a final state from the configured mix,
// an optional ENROUTE before or after it) and so a sequence of receipts; HTTP MTs of several segments get one final
// receipt per segment (SMPP segments are submits of their own, each with its fate). Then the configured
// misbehaviour, per receipt: a share coming from the other site, a share delivered twice, and for the MT's first
// receipt a share sent before the submit_sm_resp (HTTP: before the answer). SMPP receipt texts are the carrier's:
// `id:… stat:…` or, for a share, free text (the TLVs still carry the id and state).
import type { CallbackSender } from "./callbacks.ts";
import type { SimContext } from "./context.ts";
import type { DeliverySink, Dispatcher } from "./deliveries.ts";
import { receiptDate } from "./pdu-text.ts";
import { drawFate, receiptStates, RESULT_CODE, STAT_WORD, STATE_CODE, type ReceiptFate, type ReceiptState } from "./receipt-fate.ts";
import type { NodeName, SiteName } from "./types.ts";

const OTHER: Record<SiteName, SiteName> = { dc3: "bos", bos: "dc3" };
/** Between two receipts of one MT, so they leave in the fate's order. */
const STEP_MS = 20;

export interface SmppMt {
  messageId: string;
  site: SiteName;
  node: NodeName;
  session: DeliverySink;
  to: string;
  sender: string;
  text: string;
  submittedAt: number;
}

/**
 * The plan every MT's receipts follow. Draws, in this order: early; then per receipt copies (a duplicate or not)
 * and per copy whether it comes from the other site. `build` makes a receipt's copy; `send` sends it: the MT's
 * first receipt's first copy now when early, the rest after receipts.delayMs (+ STEP_MS per receipt, in order).
 * Answers whether one was sent early.
 */
function planReceipts<T>(
  ctx: SimContext, home: SiteName, count: number, build: (k: number, site: SiteName, duplicate: boolean) => T, send: (copy: T, early: boolean) => void,
): boolean {
  const r = ctx.config.receipts;
  const early = ctx.random() < r.earlyShare;
  for (let k = 0; k < count; k++) {
    const copies = ctx.random() < r.duplicateShare ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const copy = build(k, ctx.random() < r.otherSiteShare ? OTHER[home] : home, i > 0);
      if (early && k === 0 && i === 0) send(copy, true);
      else ctx.timers.after(r.delayMs + k * STEP_MS, () => send(copy, false));
    }
  }
  return early;
}

function recordFate(ctx: SimContext, via: "smpp" | "http", messageId: string, fate: ReceiptFate, receipts: number): void {
  ctx.ledger.record("receiptFates", { via, message_id: messageId, final: fate.final, ...(fate.errorCode && { errorCode: fate.errorCode }), enroute: fate.enroute, receipts, at: ctx.now() });
}

/** A receipt text: SMPP 3.4's form, or the carrier's own words (no `id:` nor `stat:` to read). */
function receiptText(ctx: SimContext, state: ReceiptState, fate: ReceiptFate, carrierId: string, mt: SmppMt): string {
  const err = state === fate.final && fate.errorCode ? fate.errorCode : "000";
  if (ctx.config.receipts.freeTextShare > 0 && ctx.random() < ctx.config.receipts.freeTextShare) {
    return `Carrier report ${carrierId}: ${state.toLowerCase()}${err !== "000" ? ` (code ${err})` : ""}`;
  }
  // The carrier's id (not ours); text: is the first 20 characters, ASCII only.
  return `id:${carrierId} sub:001 dlvrd:${state === "DELIVERED" ? "001" : "000"} submit date:${receiptDate(mt.submittedAt)} done date:${receiptDate(ctx.now())} ` +
    `stat:${STAT_WORD[state]} err:${err} text:${mt.text.slice(0, 20).replace(/[^\x20-\x7e]/g, "?")}`;
}

/**
 * Plans the receipts of an SMPP MT (one submit_sm). The early one (if any) is delivered now, before the caller
 * writes its submit_sm_resp; the others after receipts.delayMs. Answers whether one was sent early.
 */
export function smppReceipts(ctx: SimContext, dispatcher: Dispatcher, mt: SmppMt): boolean {
  const carrierId = ctx.ids.carrier();
  const fate = drawFate(ctx);
  const states = receiptStates(fate);
  recordFate(ctx, "smpp", mt.messageId, fate, states.length);
  // One text per receipt, shared by its copies (a duplicate is the same receipt again).
  const texts = new Map<number, string>();
  return planReceipts(ctx, mt.site, states.length, (k, site, duplicate) => {
    const state = states[k]!;
    if (!texts.has(k)) texts.set(k, receiptText(ctx, state, fate, carrierId, mt));
    const fields = {
      source_addr: mt.to, destination_addr: mt.sender, esm_class: 0x04, data_coding: 0,
      short_message: Buffer.from(texts.get(k)!, "latin1"), receipted_message_id: mt.messageId, message_state: STATE_CODE[state],
    };
    return { kind: "receipt" as const, messageId: mt.messageId, fields, duplicate, preferSite: site, state };
  }, (d, early) => dispatcher.deliver(early ? { ...d, early: true, preferSink: mt.session } : d));
}

export interface HttpMtReceipt {
  site: SiteName;
  messageId: string;
  appId: string;
  conversationId: string;
  /** How many segments the carrier delivers the text in: one final receipt each. */
  segments: number;
}

/** Receipt callbacks of an HTTP MT. Resolves when the caller may answer (after an early callback's first attempt). */
export async function httpReceipts(ctx: SimContext, callbacks: CallbackSender, mt: HttpMtReceipt): Promise<void> {
  let first: Promise<void> | undefined;
  const fate = drawFate(ctx);
  const states = receiptStates(fate).flatMap((s) => (s === fate.final ? Array<ReceiptState>(Math.max(1, mt.segments)).fill(s) : [s]));
  recordFate(ctx, "http", mt.messageId, fate, states.length);
  planReceipts(ctx, mt.site, states.length, (k, site, duplicate) => ({
    type: "receipt" as const, site, message_id: mt.messageId, duplicate, state: states[k]!,
    fields: {
      type: "receipt", message_id: mt.messageId, message_state: String(STATE_CODE[states[k]!]), result_code: RESULT_CODE[states[k]!],
      app_id: mt.appId, conversation_id: mt.conversationId,
    },
  }), (job, early) => {
    const sent = callbacks.send(job);
    if (early) first = sent;
  });
  // An early callback should reach the client before our answer; cap the wait so a stuck receiver cannot hang the MT.
  if (first) await Promise.race([first, new Promise((res) => ctx.timers.after(2000, () => res(undefined)) ?? res(undefined))]);
}

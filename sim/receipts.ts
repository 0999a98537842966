// Delivery receipts for accepted MTs, with the configured misbehaviour: a share coming from the other
// site, a share delivered twice, a share sent before the submit_sm_resp (HTTP: before the answer).
import type { CallbackSender } from "./callbacks.ts";
import type { SimContext } from "./context.ts";
import type { DeliverySink, Dispatcher } from "./deliveries.ts";
import { receiptDate } from "./pdu-text.ts";
import type { NodeName, SiteName } from "./types.ts";

const OTHER: Record<SiteName, SiteName> = { dc3: "bos", bos: "dc3" };

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
 * The plan every receipt follows. Draws, in this order: early, copies (a duplicate or not), then per copy
 * whether it comes from the other site. `build` makes each copy right after its draw; `send` sends it: the
 * first copy now when early, every copy otherwise after receipts.delayMs. Answers whether one was sent early.
 */
function planReceipts<T>(
  ctx: SimContext, home: SiteName, build: (site: SiteName, duplicate: boolean) => T, send: (copy: T, early: boolean) => void,
): boolean {
  const r = ctx.config.receipts;
  const early = ctx.random() < r.earlyShare;
  const copies = ctx.random() < r.duplicateShare ? 2 : 1;
  for (let i = 0; i < copies; i++) {
    const copy = build(ctx.random() < r.otherSiteShare ? OTHER[home] : home, i > 0);
    if (early && i === 0) send(copy, true);
    else ctx.timers.after(r.delayMs, () => send(copy, false));
  }
  return early;
}

/**
 * Plans the receipts of an SMPP MT. The early one (if any) is delivered now, before the caller writes
 * its submit_sm_resp; the others after receipts.delayMs. Answers whether one was sent early.
 */
export function smppReceipts(ctx: SimContext, dispatcher: Dispatcher, mt: SmppMt): boolean {
  const carrierId = ctx.ids.carrier();
  return planReceipts(ctx, mt.site, (site, duplicate) => {
    const done = ctx.now();
    // The receipt text is the carrier's (its id is the carrier's id, not ours); text: is the first 20 characters, ASCII only.
    const text = `id:${carrierId} sub:001 dlvrd:001 submit date:${receiptDate(mt.submittedAt)} done date:${receiptDate(done)} ` +
      `stat:DELIVRD err:000 text:${mt.text.slice(0, 20).replace(/[^\x20-\x7e]/g, "?")}`;
    const fields = {
      source_addr: mt.to, destination_addr: mt.sender, esm_class: 0x04, data_coding: 0,
      short_message: Buffer.from(text, "latin1"), receipted_message_id: mt.messageId, message_state: 2,
    };
    return { kind: "receipt" as const, messageId: mt.messageId, fields, duplicate, preferSite: site };
  }, (d, early) => dispatcher.deliver(early ? { ...d, early: true, preferSink: mt.session } : d));
}

export interface HttpMtReceipt {
  site: SiteName;
  messageId: string;
  appId: string;
  conversationId: string;
}

/** Receipt callbacks of an HTTP MT. Resolves when the caller may answer (after an early callback's first attempt). */
export async function httpReceipts(ctx: SimContext, callbacks: CallbackSender, mt: HttpMtReceipt): Promise<void> {
  let first: Promise<void> | undefined;
  planReceipts(ctx, mt.site, (site, duplicate) => ({
    type: "receipt" as const, site, message_id: mt.messageId, duplicate,
    fields: {
      type: "receipt", message_id: mt.messageId, message_state: "2", result_code: "0",
      app_id: mt.appId, conversation_id: mt.conversationId,
    },
  }), (job, early) => {
    const sent = callbacks.send(job);
    if (early) first = sent;
  });
  // An early callback should reach the client before our answer; cap the wait so a stuck receiver cannot hang the MT.
  if (first) await Promise.race([first, new Promise((res) => ctx.timers.after(2000, () => res(undefined)) ?? res(undefined))]);
}

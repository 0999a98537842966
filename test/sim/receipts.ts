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
 * Plans the receipts of an SMPP MT. The early one (if any) is delivered now, before the caller writes
 * its submit_sm_resp; the others after receipts.delayMs. Answers whether one was sent early.
 */
export function smppReceipts(ctx: SimContext, dispatcher: Dispatcher, mt: SmppMt): boolean {
  const r = ctx.config.receipts;
  const early = ctx.random() < r.earlyShare;
  const copies = ctx.random() < r.duplicateShare ? 2 : 1;
  const carrierId = ctx.ids.carrier();
  for (let i = 0; i < copies; i++) {
    const otherSite = ctx.random() < r.otherSiteShare;
    const done = ctx.now();
    // The receipt text is the carrier's (its id is the carrier's id, not ours); text: is the first 20 characters, ASCII only.
    const text = `id:${carrierId} sub:001 dlvrd:001 submit date:${receiptDate(mt.submittedAt)} done date:${receiptDate(done)} ` +
      `stat:DELIVRD err:000 text:${mt.text.slice(0, 20).replace(/[^\x20-\x7e]/g, "?")}`;
    const fields = {
      source_addr: mt.to, destination_addr: mt.sender, esm_class: 0x04, data_coding: 0,
      short_message: Buffer.from(text, "latin1"), receipted_message_id: mt.messageId, message_state: 2,
    };
    const d = {
      kind: "receipt" as const, messageId: mt.messageId, fields, duplicate: i > 0,
      preferSite: otherSite ? OTHER[mt.site] : mt.site,
    };
    if (early && i === 0) dispatcher.deliver({ ...d, early: true, preferSink: mt.session });
    else ctx.timers.after(r.delayMs, () => dispatcher.deliver(d));
  }
  return early;
}

export interface HttpMtReceipt {
  site: SiteName;
  messageId: string;
  appId: string;
  conversationId: string;
}

/** Receipt callbacks of an HTTP MT. Resolves when the caller may answer (after an early callback's first attempt). */
export async function httpReceipts(ctx: SimContext, callbacks: CallbackSender, mt: HttpMtReceipt): Promise<void> {
  const r = ctx.config.receipts;
  const early = ctx.random() < r.earlyShare;
  const copies = ctx.random() < r.duplicateShare ? 2 : 1;
  let first: Promise<unknown> | undefined;
  for (let i = 0; i < copies; i++) {
    const site = ctx.random() < r.otherSiteShare ? OTHER[mt.site] : mt.site;
    const job = {
      type: "receipt" as const, site, message_id: mt.messageId, duplicate: i > 0,
      fields: {
        type: "receipt", message_id: mt.messageId, message_state: "2", result_code: "0",
        app_id: mt.appId, conversation_id: mt.conversationId,
      },
    };
    if (early && i === 0) first = callbacks.send(job);
    else ctx.timers.after(r.delayMs, () => void callbacks.send(job));
  }
  // An early callback should reach the client before our answer; cap the wait so a stuck receiver cannot hang the MT.
  if (first) await Promise.race([first, new Promise((res) => ctx.timers.after(2000, () => res(undefined)) ?? res(undefined))]);
}

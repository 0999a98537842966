/**
 * One inbound deliver_sm → the contract event it stands for: a delivery receipt (`message.status`) or an
 * MO (`message.received`), with the dedup key that makes a redelivery (same bind, another bind, the other
 * site) the same event. Receipts are identified by the `receipted_message_id` TLV and `message_state` TLV,
 * as Genesys documents; the receipt text is parsed leniently only where a TLV is missing.
 */
import {
  dedupKeys, makeEvent, messageStateCode, messageStateFromStat, messageStateName, smscMessageIdForms, toE164,
  type DeliveryReport, type Event, type EventSource, type MessageStateName,
} from "../../contract/index.ts";
import type { DeliverSmPdu } from "../smpp/index.ts";
import { decodeText } from "./text-decode.ts";

/** The parts of an SMPP 3.4 receipt text, each optional (`id:… stat:DELIVRD err:000 done date:…`). */
export interface ReceiptText {
  id?: string;
  stat?: string;
  err?: string;
  doneDate?: string;
}

export function parseReceiptText(text: string): ReceiptText {
  const get = (re: RegExp) => re.exec(text)?.[1];
  const out: ReceiptText = {};
  const id = get(/\bid:(\S+)/i);
  const stat = get(/\bstat:(\w+)/i);
  const err = get(/\berr:(\w+)/i);
  const done = get(/\bdone date:(\d{10,12})/i);
  if (id) out.id = id;
  if (stat) out.stat = stat;
  if (err) out.err = err;
  if (done) out.doneDate = done;
  return out;
}

/** YYMMDDhhmm[ss] → ISO 8601 (UTC assumed: the spec gives no zone). */
function doneDateIso(d: string): string {
  const [yy, mm, dd, hh, mi, ss = "00"] = d.match(/\d\d/g)!;
  return `20${yy}-${mm}-${dd}T${hh}:${mi}:${ss}Z`;
}

/** Whether the deliver_sm is a receipt (SMPP 3.4: esm_class bits 2-5 = 0001, or intermediate 0010). */
export function isReceipt(pdu: DeliverSmPdu): boolean {
  const t = pdu.esmClass & 0x3c;
  return t === 0x04 || t === 0x20;
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

export type DeliverEvent = { ok: true; event: Event } | { ok: false; reason: string };

/** Text of an MO: short_message, or message_payload when present (long MOs). */
function moBytes(pdu: DeliverSmPdu): Uint8Array {
  return pdu.tlvs?.messagePayload ?? pdu.shortMessage;
}

/** The content-hash time bucket window for MOs without an id (see core/mo-dedup.ts). */
export async function deliverToEvent(
  pdu: DeliverSmPdu,
  source: EventSource,
  receivedAt: Date,
  moKey: (mo: { from: string; to: string; text: string }, receivedAt: number) => Promise<string>,
): Promise<DeliverEvent> {
  if (isReceipt(pdu)) {
    const body = parseReceiptText(latin1(moBytes(pdu)));
    const rawId = pdu.tlvs?.receiptedMessageId ?? body.id;
    if (!rawId) return { ok: false, reason: "receipt without receipted_message_id or id:" };
    const smscMessageId = smscMessageIdForms(rawId)[0] ?? rawId;
    const tlvState = pdu.tlvs?.messageState;
    const state: MessageStateName | undefined =
      (tlvState !== undefined ? messageStateName(tlvState) : undefined) ?? (body.stat ? messageStateFromStat(body.stat) : undefined);
    if (!state) return { ok: false, reason: "receipt without a readable message_state or stat:" };
    const data: DeliveryReport = {
      smscMessageId,
      state,
      stateCode: messageStateCode(state),
      ...(body.err && { errorCode: body.err }),
      ...(body.doneDate && { doneAt: doneDateIso(body.doneDate) }),
      ...(pdu.tlvs?.networkErrorCode && { networkErrorCode: Array.from(pdu.tlvs.networkErrorCode, (b) => b.toString(16).padStart(2, "0")).join("") }),
    };
    const key = dedupKeys.receipt(`smsc:${smscMessageId}`, data.stateCode, `${body.doneDate ?? ""}:${body.err ?? ""}`);
    return { ok: true, event: await makeEvent("message.status", key, data, source, receivedAt) };
  }
  const text = decodeText(moBytes(pdu), pdu.dataCoding);
  const mo = { from: toE164(pdu.sourceAddr), to: pdu.destinationAddr, text };
  const key = await moKey(mo, receivedAt.getTime());
  return { ok: true, event: await makeEvent("message.received", key, mo, source, receivedAt) };
}

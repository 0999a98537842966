/**
 * One inbound deliver_sm → what it stands for: a delivery receipt (with the dedup key that makes a
 * redelivery on the same bind, another bind or the other site the same event) or an MO (deduplicated by
 * content, core/mo-dedup.ts), or one part of a concatenated MO (UDH or SAR, core/inbound/concat.ts; reassembled
 * durably by core/inbound/mo-parts.ts). Receipts are identified by the `receipted_message_id` TLV and `message_state` TLV,
 * as Genesys documents; the receipt text is parsed leniently only where a TLV is missing.
 */
import {
  dedupKeys, messageStateCode, toHex, messageStateFromStat, messageStateName, smscMessageIdForms, toE164,
  type DeliveryReport, type InboundMessage, type MessageStateName,
} from "../../contract/index.ts";
import type { DeliverSmPdu } from "../smpp/index.ts";
import { latin1 } from "../smpp/wire.ts";
import { decodeText } from "./text-decode.ts";
import { groupKey, moBytes, moPayload, type ConcatRef } from "./concat.ts";

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

/** One part of a concatenated MO (core/inbound/concat.ts): its text is decoded only once the group is whole. */
export interface MoPart {
  readonly from: string;
  readonly to: string;
  /** Shared by every part of the group, whichever bind or site it came on. */
  readonly groupKey: string;
  readonly concat: ConcatRef;
  readonly dataCoding: number;
  /** The part's bytes without the UDH. */
  readonly payload: Uint8Array;
}

/** What one deliver_sm carries: a receipt (with its dedup key), an MO, one part of an MO, or nothing usable (with why). */
export type Decoded =
  | { readonly kind: "receipt"; readonly dedupKey: string; readonly data: DeliveryReport }
  | { readonly kind: "mo"; readonly mo: InboundMessage }
  | { readonly kind: "mo_part"; readonly part: MoPart }
  | { readonly kind: "invalid"; readonly reason: string };

export function decodeDeliver(pdu: DeliverSmPdu): Decoded {
  if (!isReceipt(pdu)) {
    const from = toE164(pdu.sourceAddr);
    const to = pdu.destinationAddr;
    const p = moPayload(pdu);
    if (p.kind === "invalid") return p;
    if (p.kind === "part") {
      return { kind: "mo_part", part: { from, to, groupKey: groupKey(from, to, p.concat), concat: p.concat, dataCoding: pdu.dataCoding, payload: p.payload } };
    }
    return { kind: "mo", mo: { from, to, text: decodeText(p.payload, pdu.dataCoding) } };
  }
  const text = moBytes(pdu); // a receipt's text
  const body = parseReceiptText(latin1(text, 0, text.length));
  const rawId = pdu.tlvs?.receiptedMessageId ?? body.id;
  if (!rawId) return { kind: "invalid", reason: "receipt without receipted_message_id or id:" };
  const smscMessageId = smscMessageIdForms(rawId)[0] ?? rawId;
  const tlvState = pdu.tlvs?.messageState;
  const state: MessageStateName | undefined =
    (tlvState !== undefined ? messageStateName(tlvState) : undefined) ?? (body.stat ? messageStateFromStat(body.stat) : undefined);
  if (!state) return { kind: "invalid", reason: "receipt without a readable message_state or stat:" };
  const data: DeliveryReport = {
    smscMessageId,
    state,
    stateCode: messageStateCode(state),
    ...(body.err && { errorCode: body.err }),
    ...(body.doneDate && { doneAt: doneDateIso(body.doneDate) }),
    ...(pdu.tlvs?.networkErrorCode && { networkErrorCode: toHex(pdu.tlvs.networkErrorCode) }),
  };
  return { kind: "receipt", dedupKey: dedupKeys.receipt(`smsc:${smscMessageId}`, data.stateCode, `${body.doneDate ?? ""}:${body.err ?? ""}`), data };
}

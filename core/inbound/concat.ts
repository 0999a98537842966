/**
 * Concatenated MOs: an SMSC may hand a long MO over as several deliver_sm, each carrying one part. A part says
 * so either in a User Data Header (esm_class UDHI 0x40; IE 0x00 = 8-bit reference, IE 0x08 = 16-bit reference,
 * 3GPP TS 23.040 9.2.3.24.1/.8) or in the SAR TLVs (sar_msg_ref_num, sar_total_segments, sar_segment_seqnum).
 * Pure functions only: which group a part belongs to, and its payload without the UDH. The text is decoded
 * after reassembly, from the concatenated payload bytes, because a UTF-16 surrogate pair or a GSM escape can
 * straddle two parts.
 */
import type { DeliverSmPdu } from "../smpp/index.ts";
import { concatBytes } from "../smpp/wire.ts";
import { decodeText } from "./text-decode.ts";

/** How a part named its group. */
export type ConcatScheme = "udh8" | "udh16" | "sar";

/** Where one part sits in its group. */
export interface ConcatRef {
  readonly scheme: ConcatScheme;
  readonly ref: number;
  /** Parts in the group, 2..255. */
  readonly total: number;
  /** 1-based. */
  readonly seq: number;
}

/** The MO bytes of a deliver_sm, once the UDH (if any) is taken off: a whole MO, one part, or unreadable. */
export type MoPayload =
  | { readonly kind: "whole"; readonly payload: Uint8Array }
  | { readonly kind: "part"; readonly concat: ConcatRef; readonly payload: Uint8Array }
  | { readonly kind: "invalid"; readonly reason: string };

const UDHI = 0x40;

/**
 * Splits a UDH off `bytes`. 23.040 says a concatenation IE with total 0, seq 0 or seq > total is to be ignored:
 * such a part (and a "group" of one) is read as a whole message, which is what the handset meant.
 */
export function splitUdh(bytes: Uint8Array): { concat?: ConcatRef; payload: Uint8Array } | { invalid: string } {
  if (bytes.length === 0) return { invalid: "UDHI set but the message is empty" };
  const end = 1 + bytes[0]!;
  if (end > bytes.length) return { invalid: `UDH length ${bytes[0]} overruns the message (${bytes.length} octets)` };
  let concat: ConcatRef | undefined;
  for (let o = 1; o < end; ) {
    if (o + 2 > end) return { invalid: "UDH information element header overruns the UDH" };
    const iei = bytes[o]!;
    const len = bytes[o + 1]!;
    const v = o + 2;
    if (v + len > end) return { invalid: `UDH element 0x${iei.toString(16)} overruns the UDH` };
    if (iei === 0x00 && len === 3) concat = ref("udh8", bytes[v]!, bytes[v + 1]!, bytes[v + 2]!) ?? concat;
    else if (iei === 0x08 && len === 4) concat = ref("udh16", (bytes[v]! << 8) | bytes[v + 1]!, bytes[v + 2]!, bytes[v + 3]!) ?? concat;
    o = v + len; // other elements (ports, formatting, ...) are skipped: they carry no text
  }
  return { ...(concat && { concat }), payload: bytes.subarray(end) };
}

function ref(scheme: ConcatScheme, r: number, total: number, seq: number): ConcatRef | undefined {
  return total >= 2 && seq >= 1 && seq <= total ? { scheme, ref: r, total, seq } : undefined;
}

/** What a deliver_sm carries: short_message, or message_payload when present. */
export function moBytes(pdu: DeliverSmPdu): Uint8Array {
  return pdu.tlvs?.messagePayload ?? pdu.shortMessage;
}

/**
 * The MO bytes of `pdu` (moBytes) without the UDH, and its place in a
 * group when it is a part. A UDH concatenation IE wins over SAR TLVs when both are present.
 */
export function moPayload(pdu: DeliverSmPdu): MoPayload {
  const bytes = moBytes(pdu);
  let payload = bytes;
  if (pdu.esmClass & UDHI) {
    const u = splitUdh(bytes);
    if ("invalid" in u) return { kind: "invalid", reason: u.invalid };
    if (u.concat) return { kind: "part", concat: u.concat, payload: u.payload };
    payload = u.payload;
  }
  const t = pdu.tlvs;
  if (t?.sarMsgRefNum !== undefined && t.sarTotalSegments !== undefined && t.sarSegmentSeqnum !== undefined) {
    const c = ref("sar", t.sarMsgRefNum, t.sarTotalSegments, t.sarSegmentSeqnum);
    if (c) return { kind: "part", concat: c, payload };
  }
  return { kind: "whole", payload };
}

/** The key shared by every part of one group: sender, recipient, reference and count (not the scheme: an SMSC
 * uses one scheme per message, and the key must match across binds and sites whatever the node). */
export function groupKey(from: string, to: string, c: Pick<ConcatRef, "ref" | "total">): string {
  return `${from}|${to}|${c.ref}|${c.total}`;
}

/** One stored part, as reassembly needs it. */
export interface PartBytes {
  readonly seq: number;
  readonly dataCoding: number;
  readonly payload: Uint8Array;
}

/** What stands for a missing part in a group delivered incomplete. */
export const GAP = "[…]";

/**
 * The text of a group: the payloads concatenated in seq order and decoded once by the data_coding of the first
 * part present. When parts are missing (an incomplete group past its limit), each run of present parts is
 * decoded on its own and every missing part becomes GAP.
 */
export function assembleText(parts: readonly PartBytes[], total: number): { text: string; missing: number[] } {
  const bySeq = new Map<number, PartBytes>();
  for (const p of parts) if (!bySeq.has(p.seq)) bySeq.set(p.seq, p);
  const first = [...bySeq.values()].sort((a, b) => a.seq - b.seq)[0];
  if (!first) return { text: "", missing: Array.from({ length: total }, (_, i) => i + 1) };
  const coding = first.dataCoding;
  const missing: number[] = [];
  let text = "";
  let run: Uint8Array[] = [];
  const flush = () => {
    if (run.length) text += decodeText(concatBytes(run), coding);
    run = [];
  };
  for (let seq = 1; seq <= total; seq++) {
    const p = bySeq.get(seq);
    if (p) run.push(p.payload);
    else {
      flush();
      missing.push(seq);
      text += GAP;
    }
  }
  flush();
  return { text, missing };
}

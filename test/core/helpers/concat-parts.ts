/** deliver_sm PDUs for the parts of a concatenated MO (UDH 8/16-bit reference or SAR TLVs), for the core tests. */
import { smFields, type DeliverSmPdu, type Tlvs } from "../../../core/smpp/index.ts";

export type Scheme = "udh8" | "udh16" | "sar";

export function deliver(fields: Parameters<typeof smFields>[0]): DeliverSmPdu {
  return { command: "deliver_sm", status: 0, sequence: 1, ...smFields(fields) };
}

/** The UDH of one part. */
function udh(scheme: "udh8" | "udh16", ref: number, total: number, seq: number): Uint8Array {
  return scheme === "udh8" ? Uint8Array.of(5, 0x00, 3, ref & 0xff, total, seq) : Uint8Array.of(6, 0x08, 4, (ref >> 8) & 0xff, ref & 0xff, total, seq);
}

/** One part's deliver_sm. */
export function partPdu(o: { scheme: Scheme; ref: number; total: number; seq: number; payload: Uint8Array; dataCoding?: number; from?: string; to?: string; extraTlvs?: Tlvs }): DeliverSmPdu {
  const base = { sourceAddr: o.from ?? "4512345678", destinationAddr: o.to ?? "12345", dataCoding: o.dataCoding ?? 0 };
  if (o.scheme === "sar") {
    return deliver({ ...base, shortMessage: o.payload, tlvs: { sarMsgRefNum: o.ref, sarTotalSegments: o.total, sarSegmentSeqnum: o.seq, ...o.extraTlvs } });
  }
  const h = udh(o.scheme, o.ref, o.total, o.seq);
  const sm = new Uint8Array(h.length + o.payload.length);
  sm.set(h);
  sm.set(o.payload, h.length);
  return deliver({ ...base, esmClass: 0x40, shortMessage: sm, ...(o.extraTlvs && { tlvs: o.extraTlvs }) });
}

/** Splits `bytes` into chunks of `size` octets (a split may fall inside a character: that is the point). */
export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** Every part of `bytes` as deliver_sm, in seq order. */
export function partsOf(bytes: Uint8Array, size: number, o: { scheme: Scheme; ref: number; dataCoding?: number; from?: string; to?: string }): DeliverSmPdu[] {
  const cs = chunks(bytes, size);
  return cs.map((payload, i) => partPdu({ ...o, total: cs.length, seq: i + 1, payload }));
}

/** UTF-16BE bytes of `s`. */
export function utf16be(s: string): Uint8Array {
  const b = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    b[2 * i] = s.charCodeAt(i) >> 8;
    b[2 * i + 1] = s.charCodeAt(i) & 0xff;
  }
  return b;
}

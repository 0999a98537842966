/**
 * Optional parameters (TLVs). The ones the gateway reads get named fields; every other tag is
 * kept as raw bytes and written back unchanged, so nothing an SMSC sends is lost in transit.
 */
import { indexOfNul, latin1, readU16, writeCString, writeU16 } from "./wire.ts";

/** TLV tags this codec understands (SMPP 3.4 section 5.3.2). */
export const TlvTag = {
  receipted_message_id: 0x001e,
  sar_msg_ref_num: 0x020c,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  sc_interface_version: 0x0210,
  network_error_code: 0x0423,
  message_payload: 0x0424,
  message_state: 0x0427,
} as const;

/** A TLV kept as received: tag and value bytes. */
export interface RawTlv {
  tag: number;
  value: Uint8Array;
}

/** Decoded optional parameters. Absent field = TLV not present. */
export interface Tlvs {
  /** 0x001E, C-string: the SMSC message id a receipt refers to. */
  receiptedMessageId?: string;
  /** 0x0427, 1 octet: 1 en route … 8 rejected. */
  messageState?: number;
  /** 0x0423, 3 octets: network type, then a 2-octet error code. */
  networkErrorCode?: Uint8Array;
  /** 0x020C, 2 octets. */
  sarMsgRefNum?: number;
  /** 0x020E, 1 octet. */
  sarTotalSegments?: number;
  /** 0x020F, 1 octet. */
  sarSegmentSeqnum?: number;
  /** 0x0424, any length up to 64K: replaces short_message. */
  messagePayload?: Uint8Array;
  /** 0x0210, 1 octet (bind responses). */
  scInterfaceVersion?: number;
  /** Tags not listed above, or listed ones with a length we cannot read; re-encoded as-is. */
  unknown?: RawTlv[];
}

/** Returned by readTlvs when the TLV stream overruns the PDU. */
export const MALFORMED_TLVS = Symbol("malformed-tlvs");

function checkU16(tag: number, n: number): void {
  if (n > 0xffff) throw new RangeError(`TLV 0x${tag.toString(16)} value too long (${n} > 65535)`);
}

/** Encoded size in octets of all TLVs in `t`. */
export function tlvsLength(t: Tlvs): number {
  let n = 0;
  if (t.receiptedMessageId !== undefined) n += 5 + t.receiptedMessageId.length;
  if (t.messageState !== undefined) n += 5;
  if (t.networkErrorCode !== undefined) n += 4 + t.networkErrorCode.length;
  if (t.sarMsgRefNum !== undefined) n += 6;
  if (t.sarTotalSegments !== undefined) n += 5;
  if (t.sarSegmentSeqnum !== undefined) n += 5;
  if (t.messagePayload !== undefined) n += 4 + t.messagePayload.length;
  if (t.scInterfaceVersion !== undefined) n += 5;
  if (t.unknown !== undefined) for (const u of t.unknown) n += 4 + u.value.length;
  return n;
}

function writeU8Tlv(b: Uint8Array, o: number, tag: number, v: number): number {
  writeU16(b, o, tag);
  writeU16(b, o + 2, 1);
  b[o + 4] = v;
  return o + 5;
}

function writeBytesTlv(b: Uint8Array, o: number, tag: number, v: Uint8Array): number {
  checkU16(tag, v.length);
  writeU16(b, o, tag);
  writeU16(b, o + 2, v.length);
  b.set(v, o + 4);
  return o + 4 + v.length;
}

/** Writes the TLVs at `o`, in a fixed order then unknown ones in received order; returns the end. */
export function writeTlvs(b: Uint8Array, o: number, t: Tlvs): number {
  if (t.receiptedMessageId !== undefined) {
    checkU16(TlvTag.receipted_message_id, t.receiptedMessageId.length + 1);
    writeU16(b, o, TlvTag.receipted_message_id);
    writeU16(b, o + 2, t.receiptedMessageId.length + 1);
    o = writeCString(b, o + 4, t.receiptedMessageId);
  }
  if (t.messageState !== undefined) o = writeU8Tlv(b, o, TlvTag.message_state, t.messageState);
  if (t.networkErrorCode !== undefined) o = writeBytesTlv(b, o, TlvTag.network_error_code, t.networkErrorCode);
  if (t.sarMsgRefNum !== undefined) {
    writeU16(b, o, TlvTag.sar_msg_ref_num);
    writeU16(b, o + 2, 2);
    writeU16(b, o + 4, t.sarMsgRefNum);
    o += 6;
  }
  if (t.sarTotalSegments !== undefined) o = writeU8Tlv(b, o, TlvTag.sar_total_segments, t.sarTotalSegments);
  if (t.sarSegmentSeqnum !== undefined) o = writeU8Tlv(b, o, TlvTag.sar_segment_seqnum, t.sarSegmentSeqnum);
  if (t.messagePayload !== undefined) o = writeBytesTlv(b, o, TlvTag.message_payload, t.messagePayload);
  if (t.scInterfaceVersion !== undefined) o = writeU8Tlv(b, o, TlvTag.sc_interface_version, t.scInterfaceVersion);
  if (t.unknown !== undefined) for (const u of t.unknown) o = writeBytesTlv(b, o, u.tag, u.value);
  return o;
}

/**
 * Reads TLVs from b[start, end). Returns undefined when there are none and MALFORMED_TLVS when a
 * header or value runs past `end`. Values are subarrays of `b` (no copy). A known tag with an
 * unexpected length is kept raw in `unknown` rather than failing the PDU: an SMSC that sends
 * an odd optional field should not cost us the message.
 */
export function readTlvs(b: Uint8Array, start: number, end: number): Tlvs | undefined | typeof MALFORMED_TLVS {
  if (start >= end) return undefined;
  const t: Tlvs = {};
  let o = start;
  while (o < end) {
    if (o + 4 > end) return MALFORMED_TLVS;
    const tag = readU16(b, o);
    const len = readU16(b, o + 2);
    const v = o + 4;
    o = v + len;
    if (o > end) return MALFORMED_TLVS;
    switch (tag) {
      case TlvTag.receipted_message_id: {
        if (len === 0) break;
        const nul = indexOfNul(b, v, o);
        t.receiptedMessageId = latin1(b, v, nul < 0 ? o : nul);
        continue;
      }
      case TlvTag.message_state:
        if (len !== 1) break;
        t.messageState = b[v]!;
        continue;
      case TlvTag.network_error_code:
        t.networkErrorCode = b.subarray(v, o);
        continue;
      case TlvTag.sar_msg_ref_num:
        if (len !== 2) break;
        t.sarMsgRefNum = readU16(b, v);
        continue;
      case TlvTag.sar_total_segments:
        if (len !== 1) break;
        t.sarTotalSegments = b[v]!;
        continue;
      case TlvTag.sar_segment_seqnum:
        if (len !== 1) break;
        t.sarSegmentSeqnum = b[v]!;
        continue;
      case TlvTag.message_payload:
        t.messagePayload = b.subarray(v, o);
        continue;
      case TlvTag.sc_interface_version:
        if (len !== 1) break;
        t.scInterfaceVersion = b[v]!;
        continue;
    }
    (t.unknown ??= []).push({ tag, value: b.subarray(v, o) });
  }
  return t;
}

// Long MOs as an SMSC may deliver them: in the message_payload TLV (the default), or split into several
// deliver_sm, each part marked by a UDH (IE 0x00, 8-bit reference; IE 0x08, 16-bit reference; esm_class 0x40)
// or by the SAR TLVs. Parts are cut by octets (even, so UTF-16 code units stay whole, but a surrogate pair
// or a multi-octet UTF-8 character may straddle two parts, as on the air interface).
import { encodeText, textFields } from "./pdu-text.ts";
import type { LongMo } from "./types.ts";

/** Octets of text per part, so that UDH + text fits the 140-octet air-interface limit. */
const PART_OCTETS: Record<Exclude<LongMo, "payload">, number> = { udh8: 134, udh16: 132, sar: 140 };

/** The deliver_sm fields of each part of `text` (one entry: not split), in seq order. */
export function moPartFields(text: string, how: LongMo, ref: number): Record<string, unknown>[] {
  const encoded = encodeText(text);
  const { dataCoding, bytes } = encoded;
  if (how === "payload" || bytes.length <= 140) return [textFields(encoded)];
  const size = PART_OCTETS[how];
  const total = Math.ceil(bytes.length / size);
  if (total > 255) throw new Error(`text needs ${total} parts; at most 255`);
  return Array.from({ length: total }, (_, i) => {
    const chunk = bytes.subarray(i * size, (i + 1) * size);
    const seq = i + 1;
    if (how === "sar") {
      return { data_coding: dataCoding, short_message: chunk, sar_msg_ref_num: ref & 0xffff, sar_total_segments: total, sar_segment_seqnum: seq };
    }
    const udh = how === "udh8" ? Buffer.from([5, 0x00, 3, ref & 0xff, total, seq]) : Buffer.from([6, 0x08, 4, (ref >> 8) & 0xff, ref & 0xff, total, seq]);
    return { data_coding: dataCoding, esm_class: 0x40, short_message: Buffer.concat([udh, chunk]) };
  });
}

/**
 * MT text → SMPP short_message segments. GSM 03.38 when every character is in it (one septet per octet,
 * unpacked, as SMPP carries it), UTF-16 otherwise; long text is split with a concatenation UDH
 * (`05 00 03 ref total seq`, esm_class |= 0x40) without cutting a GSM escape pair or a surrogate pair.
 * data_coding values follow Genesys' table (GSM 03.38 = 2, UTF-16 = 8) and are configurable.
 */
import { GSM_0338 } from "./gsm-table.ts";
import { concatBytes } from "../smpp/wire.ts";

export interface DataCodings {
  readonly gsm: number;
  readonly ucs2: number;
}

export const GENESYS_DATA_CODINGS: DataCodings = Object.freeze({ gsm: 2, ucs2: 8 });

export interface Segment {
  readonly shortMessage: Uint8Array;
  readonly esmClass: number;
  readonly dataCoding: number;
}

const UDH_LEN = 6;
const SINGLE_OCTETS = 140;

interface Part {
  readonly units: Uint8Array[];
  readonly len: number;
}

/** Splits `units` (already-encoded characters, one array per character) into parts of at most `max` octets. */
function pack(units: Uint8Array[], max: number): Part[] {
  const parts: Part[] = [];
  let cur: Uint8Array[] = [];
  let len = 0;
  for (const u of units) {
    if (len + u.length > max) {
      parts.push({ units: cur, len });
      cur = [];
      len = 0;
    }
    cur.push(u);
    len += u.length;
  }
  if (cur.length) parts.push({ units: cur, len });
  return parts;
}

/** The encoded characters of `text`, one entry per user-perceived unit that must not be split. */
function units(text: string, gsm: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const ch of text) {
    if (gsm) out.push(GSM_0338.encode(ch));
    else {
      const u = new Uint8Array(ch.length * 2);
      for (let i = 0; i < ch.length; i++) {
        const c = ch.charCodeAt(i);
        u[i * 2] = c >> 8;
        u[i * 2 + 1] = c & 0xff;
      }
      out.push(u);
    }
  }
  return out;
}

/**
 * Encodes `text` into one or more segments. `ref` is the concatenation reference (0-255), the same for
 * every part of one message and different between messages in flight to the same handset.
 */
export function segmentText(text: string, ref: number, codings: DataCodings = GENESYS_DATA_CODINGS): Segment[] {
  const gsm = GSM_0338.match(text); // the GSM 03.38 default alphabet with its extension table
  const dataCoding = gsm ? codings.gsm : codings.ucs2;
  // GSM septets travel unpacked in SMPP (one per octet) but the air interface packs them: 160 per SMS.
  const single = gsm ? 160 : SINGLE_OCTETS;
  const multi = gsm ? 153 : SINGLE_OCTETS - UDH_LEN;
  const u = units(text, gsm);
  const total = u.reduce((n, x) => n + x.length, 0);
  if (total <= single) return [{ shortMessage: concatBytes(u), esmClass: 0, dataCoding }];
  const parts = pack(u, multi);
  if (parts.length > 255) throw new RangeError("text needs more than 255 segments");
  return parts.map((p, i) => ({
    shortMessage: concatBytes(p.units, Uint8Array.of(0x05, 0x00, 0x03, ref & 0xff, parts.length, i + 1)),
    esmClass: 0x40,
    dataCoding,
  }));
}

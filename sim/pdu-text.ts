// Raw submit_sm reading and deliver_sm text encoding. The smpp package decodes data_coding 0 as
// GSM 03.38, but for Genesys 0 means UTF-8, so the simulator reads the submit_sm body itself from
// the raw bytes (see captureRawPdus) and decodes the text with Genesys' data_coding table.

/** The fields of a submit_sm the simulator needs, read from the raw PDU. */
export interface RawSubmit {
  sourceAddr: string;
  destinationAddr: string;
  esmClass: number;
  registeredDelivery: number;
  dataCoding: number;
  text: string;
  segment?: { ref: number; total: number; seq: number };
}

/** Reads a submit_sm PDU (header included); undefined when the body is truncated. */
export function readSubmitSm(pdu: Buffer): RawSubmit | undefined {
  let o = 16;
  const cstr = (): string => {
    const end = pdu.indexOf(0, o);
    if (end < 0) throw new RangeError("unterminated C-Octet string");
    const s = pdu.toString("latin1", o, end);
    o = end + 1;
    return s;
  };
  const u8 = (): number => {
    if (o >= pdu.length) throw new RangeError("truncated");
    return pdu[o++] as number;
  };
  try {
    cstr(); // service_type
    u8(); u8();
    const sourceAddr = cstr();
    u8(); u8();
    const destinationAddr = cstr();
    const esmClass = u8();
    u8(); u8(); // protocol_id, priority_flag
    cstr(); cstr(); // schedule_delivery_time, validity_period
    const registeredDelivery = u8();
    u8(); // replace_if_present
    const dataCoding = u8();
    u8(); // sm_default_msg_id
    const smLength = u8();
    let sm = pdu.subarray(o, o + smLength);
    o += smLength;
    while (o + 4 <= pdu.length) {
      const tag = pdu.readUInt16BE(o);
      const len = pdu.readUInt16BE(o + 2);
      if (tag === 0x0424) sm = pdu.subarray(o + 4, o + 4 + len); // message_payload
      o += 4 + len;
    }
    let segment: RawSubmit["segment"];
    if (esmClass & 0x40 && sm.length > 0) {
      const udhl = sm[0] as number;
      const udh = sm.subarray(1, 1 + udhl);
      if (udh[0] === 0x00 && udh[1] === 0x03) segment = { ref: udh[2] as number, total: udh[3] as number, seq: udh[4] as number };
      sm = sm.subarray(1 + udhl);
    }
    const out: RawSubmit = { sourceAddr, destinationAddr, esmClass, registeredDelivery, dataCoding, text: decodeText(sm, dataCoding) };
    if (segment) out.segment = segment;
    return out;
  } catch {
    return undefined;
  }
}

/** Genesys' data_coding table: 0 UTF-8, 8 UTF-16BE; the single-byte ones are read as Latin-1 (length only matters). */
export function decodeText(b: Buffer, dataCoding: number): string {
  if (dataCoding === 0) return b.toString("utf8");
  if (dataCoding === 8) return swap16(b).toString("utf16le");
  return b.toString("latin1");
}

/** Text for a deliver_sm: data_coding 0 (UTF-8) when ASCII, else 8 (UTF-16BE). */
export function encodeText(text: string): { dataCoding: number; bytes: Buffer } {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return { dataCoding: 0, bytes: Buffer.from(text, "utf8") };
  return { dataCoding: 8, bytes: swap16(Buffer.from(text, "utf16le")) };
}

function swap16(b: Buffer): Buffer {
  const out = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  return out.swap16();
}

/** Encoded text as deliver_sm fields: short_message holds at most 254 octets; longer text goes in the message_payload TLV. */
export function textFields({ dataCoding, bytes }: { dataCoding: number; bytes: Buffer }): Record<string, unknown> {
  if (bytes.length <= 254) return { data_coding: dataCoding, short_message: bytes };
  return { data_coding: dataCoding, short_message: Buffer.alloc(0), message_payload: bytes };
}

/** YYMMDDhhmm in UTC, as receipt texts carry. */
export function receiptDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/**
 * Lets a session keep the raw bytes of the PDU it just parsed. The smpp Session reads each PDU as
 * read(4) (command_length) then read(length - 4); wrapping the socket's read() keeps those two
 * buffers. The package emits "pdu" synchronously right after the second read, so `last()` is it.
 */
export function captureRawPdus(socket: { read(n?: number): unknown }): () => Buffer | undefined {
  const read = socket.read.bind(socket);
  let head: Buffer | undefined;
  let last: Buffer | undefined;
  socket.read = (n?: number): unknown => {
    const b = read(n);
    if (Buffer.isBuffer(b)) {
      if (head === undefined) head = b;
      else {
        last = Buffer.concat([head, b]);
        head = undefined;
      }
    }
    return b;
  };
  return () => last;
}

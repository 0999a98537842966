/**
 * fast-check generators for SMPP PDUs, and the mapping between our PDU objects and the field
 * names of the npm `smpp` package (snake_case), for the differential tests.
 */
import fc from "fast-check";
import type { Pdu, SmFields } from "../../core/smpp/pdu.ts";
import type { Tlvs } from "../../core/smpp/tlv.ts";

const u8 = fc.integer({ min: 0, max: 255 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const seq = fc.integer({ min: 1, max: 0x7fffffff });
/** ASCII without NUL: both codecs read C-strings as ASCII. */
const cstr = (maxLength: number) => fc.string({ unit: fc.integer({ min: 1, max: 127 }).map((c) => String.fromCharCode(c)), maxLength });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });

/** Unknown TLV tags: the vendor range, which neither codec names. */
const unknownTlvs = fc
  .uniqueArray(fc.integer({ min: 0x1400, max: 0x3fff }), { maxLength: 3 })
  .chain((tags) => fc.tuple(...tags.sort((a, b) => a - b).map((tag) => bytes(20).map((value) => ({ tag, value })))));

export function tlvsArb(withUnknown: boolean): fc.Arbitrary<Tlvs | undefined> {
  return fc.option(
    fc.record(
      {
        receiptedMessageId: cstr(64),
        messageState: u8,
        networkErrorCode: fc.uint8Array({ minLength: 3, maxLength: 3 }),
        sarMsgRefNum: fc.integer({ min: 0, max: 0xffff }),
        sarTotalSegments: u8,
        sarSegmentSeqnum: u8,
        messagePayload: bytes(400),
        scInterfaceVersion: u8,
        ...(withUnknown ? { unknown: unknownTlvs.filter((u) => u.length > 0) } : {}),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  );
}

const smFieldsArb = (withUnknown: boolean): fc.Arbitrary<SmFields> =>
  fc.record({
    serviceType: cstr(5), sourceAddrTon: u8, sourceAddrNpi: u8, sourceAddr: cstr(20), destAddrTon: u8, destAddrNpi: u8,
    destinationAddr: cstr(20), esmClass: u8, protocolId: u8, priorityFlag: u8,
    scheduleDeliveryTime: fc.constantFrom("", "250101120000000+", "000001000000000R"),
    validityPeriod: fc.constantFrom("", "250102120000004-"), registeredDelivery: u8, replaceIfPresentFlag: u8,
    dataCoding: u8, smDefaultMsgId: u8, shortMessage: bytes(254), tlvs: tlvsArb(withUnknown),
  }).map(dropUndefined);

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Any PDU this codec supports. Requests carry status 0 (the spec's rule for requests). */
export function pduArb(withUnknown = false): fc.Arbitrary<Pdu> {
  const bind = fc.record({
    command: fc.constantFrom("bind_transmitter", "bind_receiver", "bind_transceiver"), status: fc.constant(0), sequence: seq,
    systemId: cstr(15), password: cstr(8), systemType: cstr(12), interfaceVersion: u8, addrTon: u8, addrNpi: u8, addressRange: cstr(40),
  });
  const bindResp = fc.record({
    command: fc.constantFrom("bind_transmitter_resp", "bind_receiver_resp", "bind_transceiver_resp"), status: u32, sequence: seq,
    systemId: cstr(15), tlvs: fc.option(fc.record({ scInterfaceVersion: u8 }), { nil: undefined }),
  }).map((p) => (p.status === 0 ? dropUndefined(p) : { command: p.command, status: p.status, sequence: p.sequence, systemId: "" }));
  const sm = fc.tuple(fc.constantFrom("submit_sm", "deliver_sm"), seq, smFieldsArb(withUnknown)).map(([command, sequence, f]) => ({ command, status: 0, sequence, ...f }));
  const smResp = fc.record({ command: fc.constantFrom("submit_sm_resp", "deliver_sm_resp"), status: fc.oneof(fc.constant(0), u32), sequence: seq, messageId: cstr(64) })
    .map((p) => (p.status === 0 ? p : { ...p, messageId: "" }));
  const empty = fc.record({
    command: fc.constantFrom("enquire_link", "enquire_link_resp", "unbind", "unbind_resp", "generic_nack"),
    status: u32, sequence: seq,
  }).map((p) => (p.command === "enquire_link" || p.command === "unbind" ? { ...p, status: 0 } : p));
  return fc.oneof(bind, bindResp, sm, smResp, empty) as fc.Arbitrary<Pdu>;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Our PDU → `new smpp.PDU(command, options)` options (snake_case, Buffers). */
export function toPkgOptions(p: Pdu): Record<string, unknown> {
  const out: Record<string, unknown> = { command_status: p.status, sequence_number: p.sequence };
  for (const [k, v] of Object.entries(p)) {
    if (k === "command" || k === "status" || k === "sequence" || k === "tlvs") continue;
    out[snake(k)] = v instanceof Uint8Array ? Buffer.from(v) : v;
  }
  const tlvs = (p as { tlvs?: Tlvs }).tlvs;
  if (tlvs) for (const [k, v] of Object.entries(tlvs)) if (k !== "unknown") out[snake(k)] = v instanceof Uint8Array ? Buffer.from(v) : v;
  return out;
}

const HEADER_KEYS = new Set(["command", "command_length", "command_id", "command_status", "sequence_number"]);
const TLV_NAMES = new Set(["receipted_message_id", "message_state", "network_error_code", "sar_msg_ref_num", "sar_total_segments", "sar_segment_seqnum", "message_payload", "sc_interface_version"]);

/** A decoded `smpp` package PDU → our PDU shape (plain arrays for bytes, see canon). */
export function fromPkg(pkg: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { command: pkg.command, status: pkg.command_status, sequence: pkg.sequence_number };
  const tlvs: Record<string, unknown> = {};
  const unknown: { tag: number; value: unknown }[] = [];
  for (const [k, v] of Object.entries(pkg)) {
    if (HEADER_KEYS.has(k) || typeof v === "function") continue;
    if (/^\d+$/.test(k)) unknown.push({ tag: Number(k), value: v });
    else if (TLV_NAMES.has(k)) tlvs[camel(k)] = v;
    else out[camel(k)] = v;
  }
  if (unknown.length) tlvs.unknown = unknown;
  if (Object.keys(tlvs).length) out.tlvs = tlvs;
  return canon(out) as Record<string, unknown>;
}

/** Deep copy with every byte array as a plain number[] so Buffer and Uint8Array compare equal. */
export function canon(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, canon(x)]));
  return v;
}

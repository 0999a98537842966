/**
 * Encoder and decoder for the PDUs in pdu.ts. Encoding writes straight into a caller's buffer
 * (the session's write batch) after sizing the PDU, so a PDU costs one pass and no temporaries.
 * Decoding never throws: bad input is a result naming the command_status to answer with.
 */
import { CommandId, commandName, type CommandName } from "./commands.ts";
import type { BindPdu, BindRespPdu, Pdu, SmFields, SmRespPdu } from "./pdu.ts";
import { Status } from "./status.ts";
import { MALFORMED_TLVS, readTlvs, tlvsLength, writeTlvs } from "./tlv.ts";
import { indexOfNul, latin1, readU32, writeCString, writeU32 } from "./wire.ts";

/** SMPP header size: command_length, command_id, command_status, sequence_number. */
export const HEADER_LENGTH = 16;

/** Why a frame could not be decoded, and what to answer (generic_nack) with. */
export interface DecodeError {
  ok: false;
  /** Short machine-readable cause, e.g. "unknown_command", "truncated_body". */
  reason: string;
  /** command_status for the generic_nack answering this frame. */
  status: number;
  commandId: number;
  /** The frame's sequence_number (0 if the frame is shorter than a header). */
  sequence: number;
}

export type DecodeResult = { ok: true; pdu: Pdu } | DecodeError;

function smBodyLength(p: SmFields): number {
  if (p.shortMessage.length > 255) throw new RangeError(`short_message is ${p.shortMessage.length} octets (max 255)`);
  return (
    12 + // eleven 1-octet fields and sm_length; each C-string adds its NUL below
    p.serviceType.length + 1 + p.sourceAddr.length + 1 + p.destinationAddr.length + 1 +
    p.scheduleDeliveryTime.length + 1 + p.validityPeriod.length + 1 + p.shortMessage.length
  );
}

/** Total encoded size of `p` in octets, header included. Throws RangeError for unencodable input. */
export function pduLength(p: Pdu): number {
  let n = HEADER_LENGTH;
  switch (p.command) {
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver":
      n += p.systemId.length + p.password.length + p.systemType.length + p.addressRange.length + 7;
      break;
    case "bind_transmitter_resp":
    case "bind_receiver_resp":
    case "bind_transceiver_resp":
      // SMPP 3.4 omits the body of a failed response (as does the npm smpp package), unless
      // there is something to carry: a decoded response then re-encodes unchanged.
      if (p.status !== 0 && p.systemId === "" && p.tlvs === undefined) return n;
      n += p.systemId.length + 1;
      break;
    case "submit_sm":
    case "deliver_sm":
      n += smBodyLength(p);
      break;
    case "submit_sm_resp":
    case "deliver_sm_resp":
      if (p.status !== 0 && p.messageId === "" && p.tlvs === undefined) return n;
      n += p.messageId.length + 1;
      break;
    default:
      return n;
  }
  return p.tlvs === undefined ? n : n + tlvsLength(p.tlvs);
}

function writeSm(b: Uint8Array, o: number, p: SmFields): number {
  o = writeCString(b, o, p.serviceType);
  b[o++] = p.sourceAddrTon;
  b[o++] = p.sourceAddrNpi;
  o = writeCString(b, o, p.sourceAddr);
  b[o++] = p.destAddrTon;
  b[o++] = p.destAddrNpi;
  o = writeCString(b, o, p.destinationAddr);
  b[o++] = p.esmClass;
  b[o++] = p.protocolId;
  b[o++] = p.priorityFlag;
  o = writeCString(b, o, p.scheduleDeliveryTime);
  o = writeCString(b, o, p.validityPeriod);
  b[o++] = p.registeredDelivery;
  b[o++] = p.replaceIfPresentFlag;
  b[o++] = p.dataCoding;
  b[o++] = p.smDefaultMsgId;
  b[o++] = p.shortMessage.length;
  b.set(p.shortMessage, o);
  return o + p.shortMessage.length;
}

/**
 * Encodes `p` into `b` at offset `o` and returns the offset after it. `b` must have
 * pduLength(p) octets free at `o`. Throws RangeError for values that cannot be encoded.
 */
export function encodeInto(p: Pdu, b: Uint8Array, o: number, length = pduLength(p)): number {
  const start = o;
  writeU32(b, o, length);
  writeU32(b, o + 4, CommandId[p.command]);
  writeU32(b, o + 8, p.status);
  writeU32(b, o + 12, p.sequence);
  o += HEADER_LENGTH;
  if (length === HEADER_LENGTH) return o;
  switch (p.command) {
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver":
      o = writeCString(b, o, p.systemId);
      o = writeCString(b, o, p.password);
      o = writeCString(b, o, p.systemType);
      b[o++] = p.interfaceVersion;
      b[o++] = p.addrTon;
      b[o++] = p.addrNpi;
      o = writeCString(b, o, p.addressRange);
      break;
    case "bind_transmitter_resp":
    case "bind_receiver_resp":
    case "bind_transceiver_resp":
      o = writeCString(b, o, p.systemId);
      break;
    case "submit_sm":
    case "deliver_sm":
      o = writeSm(b, o, p);
      break;
    case "submit_sm_resp":
    case "deliver_sm_resp":
      o = writeCString(b, o, p.messageId);
      break;
    default:
      return o;
  }
  if (p.tlvs !== undefined) o = writeTlvs(b, o, p.tlvs);
  if (o - start !== length) throw new RangeError(`encoded ${o - start} octets, sized ${length}`);
  return o;
}

/** Encodes one PDU into a fresh buffer. The session batches with encodeInto instead. */
export function encodePdu(p: Pdu): Uint8Array {
  const length = pduLength(p);
  const b = new Uint8Array(length);
  encodeInto(p, b, 0, length);
  return b;
}

const EMPTY = new Uint8Array(0);

// Decoding state for the PDU being read. Module-level so each field read needs no result
// object; safe because decodePdu is synchronous and not re-entrant.
let buf: Uint8Array = EMPTY;
let pos = 0;
let end = 0;
let fail = "";

function cstr(): string {
  if (fail) return "";
  const nul = indexOfNul(buf, pos, end);
  if (nul < 0) {
    fail = "unterminated_c_string";
    return "";
  }
  const s = latin1(buf, pos, nul);
  pos = nul + 1;
  return s;
}

function u8(): number {
  if (fail) return 0;
  if (pos >= end) {
    fail = "truncated_body";
    return 0;
  }
  return buf[pos++]!;
}

function decodeSm(command: "submit_sm" | "deliver_sm", status: number, sequence: number): Pdu | undefined {
  const serviceType = cstr();
  const sourceAddrTon = u8();
  const sourceAddrNpi = u8();
  const sourceAddr = cstr();
  const destAddrTon = u8();
  const destAddrNpi = u8();
  const destinationAddr = cstr();
  const esmClass = u8();
  const protocolId = u8();
  const priorityFlag = u8();
  const scheduleDeliveryTime = cstr();
  const validityPeriod = cstr();
  const registeredDelivery = u8();
  const replaceIfPresentFlag = u8();
  const dataCoding = u8();
  const smDefaultMsgId = u8();
  const smLength = u8();
  if (fail) return undefined;
  if (pos + smLength > end) {
    fail = "short_message_overrun";
    return undefined;
  }
  const shortMessage = buf.subarray(pos, pos + smLength);
  pos += smLength;
  return {
    command, status, sequence, serviceType, sourceAddrTon, sourceAddrNpi, sourceAddr, destAddrTon,
    destAddrNpi, destinationAddr, esmClass, protocolId, priorityFlag, scheduleDeliveryTime,
    validityPeriod, registeredDelivery, replaceIfPresentFlag, dataCoding, smDefaultMsgId, shortMessage,
  };
}

function decodeBody(command: CommandName, status: number, sequence: number): Pdu | undefined {
  switch (command) {
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver": {
      const p: BindPdu = {
        command, status, sequence, systemId: cstr(), password: cstr(), systemType: cstr(),
        interfaceVersion: u8(), addrTon: u8(), addrNpi: u8(), addressRange: cstr(),
      };
      return p;
    }
    case "bind_transmitter_resp":
    case "bind_receiver_resp":
    case "bind_transceiver_resp": {
      const p: BindRespPdu = { command, status, sequence, systemId: pos < end ? cstr() : "" };
      return p;
    }
    case "submit_sm":
    case "deliver_sm":
      return decodeSm(command, status, sequence);
    case "submit_sm_resp":
    case "deliver_sm_resp": {
      // Error responses usually omit the body; some SMSCs omit it for deliver_sm_resp too.
      const p: SmRespPdu = { command, status, sequence, messageId: pos < end ? cstr() : "" };
      return p;
    }
    default:
      // Header-only PDUs: trailing octets are ignored (no TLVs read), the length already kept us in sync.
      pos = end;
      return { command, status, sequence } as Pdu;
  }
}

function error(reason: string, status: number, commandId: number, sequence: number): DecodeError {
  return { ok: false, reason, status, commandId, sequence };
}

/**
 * Decodes one complete frame (as cut by the Framer). String fields are copied; octet fields
 * (shortMessage, payload TLVs) are subarrays of `frame`, so keep the frame alive with them.
 */
export function decodePdu(frame: Uint8Array): DecodeResult {
  if (frame.length < HEADER_LENGTH) return error("short_frame", Status.ESME_RINVCMDLEN, 0, 0);
  const length = readU32(frame, 0);
  const id = readU32(frame, 4);
  const status = readU32(frame, 8);
  const sequence = readU32(frame, 12);
  if (length !== frame.length) return error("length_mismatch", Status.ESME_RINVCMDLEN, id, sequence);
  const command = commandName(id);
  if (command === undefined) return error("unknown_command", Status.ESME_RINVCMDID, id, sequence);
  buf = frame;
  pos = HEADER_LENGTH;
  end = length;
  fail = "";
  const pdu = decodeBody(command, status, sequence);
  const failed = fail;
  const bodyEnd = pos;
  buf = EMPTY;
  if (pdu === undefined || failed) return error(failed || "bad_body", Status.ESME_RINVCMDLEN, id, sequence);
  if (bodyEnd < length) {
    const tlvs = readTlvs(frame, bodyEnd, length);
    if (tlvs === MALFORMED_TLVS) return error("malformed_tlvs", Status.ESME_RINVOPTPARSTREAM, id, sequence);
    if (tlvs !== undefined) (pdu as { tlvs?: unknown }).tlvs = tlvs;
  }
  return { ok: true, pdu };
}

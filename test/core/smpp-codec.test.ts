// Codec: a round trip for every PDU type, TLV handling, decode errors as data, status names.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodePdu, encodePdu, pduLength } from "../../core/smpp/codec.ts";
import { CommandId } from "../../core/smpp/commands.ts";
import { smFields, type Pdu } from "../../core/smpp/pdu.ts";
import { Status, classifyStatus, statusName } from "../../core/smpp/status.ts";
import { canon, pduArb } from "./smpp-arbitraries.ts";

const text = (s: string) => new TextEncoder().encode(s);
const sm = smFields({ sourceAddr: "Genesys", destinationAddr: "4512345678", registeredDelivery: 1, dataCoding: 8, shortMessage: text("hi") });

const samples: Pdu[] = [
  { command: "bind_transmitter", status: 0, sequence: 1, systemId: "esme", password: "pw", systemType: "", interfaceVersion: 0x34, addrTon: 1, addrNpi: 1, addressRange: "" },
  { command: "bind_receiver", status: 0, sequence: 2, systemId: "esme", password: "pw", systemType: "x", interfaceVersion: 0x34, addrTon: 0, addrNpi: 0, addressRange: "^45" },
  { command: "bind_transceiver", status: 0, sequence: 3, systemId: "esme", password: "pw", systemType: "", interfaceVersion: 0x34, addrTon: 0, addrNpi: 0, addressRange: "" },
  { command: "bind_transmitter_resp", status: 0, sequence: 1, systemId: "SMSC", tlvs: { scInterfaceVersion: 0x34 } },
  { command: "bind_receiver_resp", status: Status.ESME_RBINDFAIL, sequence: 2, systemId: "" },
  { command: "bind_transceiver_resp", status: 0, sequence: 3, systemId: "SMSC" },
  { command: "submit_sm", status: 0, sequence: 4, ...sm, tlvs: { sarMsgRefNum: 0xbeef, sarTotalSegments: 3, sarSegmentSeqnum: 2 } },
  { command: "submit_sm_resp", status: 0, sequence: 4, messageId: "0a1b2c3d" },
  { command: "submit_sm_resp", status: Status.ESME_RTHROTTLED, sequence: 5, messageId: "" },
  {
    command: "deliver_sm", status: 0, sequence: 6, ...sm, esmClass: 0x04,
    tlvs: { receiptedMessageId: "0a1b2c3d", messageState: 2, networkErrorCode: Uint8Array.of(3, 0, 1), messagePayload: text("x".repeat(300)), unknown: [{ tag: 0x1501, value: Uint8Array.of(1, 2) }] },
  },
  { command: "deliver_sm_resp", status: 0, sequence: 6, messageId: "" },
  { command: "enquire_link", status: 0, sequence: 7 },
  { command: "enquire_link_resp", status: 0, sequence: 7 },
  { command: "unbind", status: 0, sequence: 8 },
  { command: "unbind_resp", status: 0, sequence: 8 },
  { command: "generic_nack", status: Status.ESME_RINVCMDID, sequence: 9 },
];

describe("codec round trips", () => {
  test.each(samples.map((p) => [p.command, p] as const))("%s", (_name, pdu) => {
    const bytes = encodePdu(pdu);
    expect(bytes.length).toBe(pduLength(pdu));
    expect(new DataView(bytes.buffer).getUint32(4)).toBe(CommandId[pdu.command]);
    const r = decodePdu(bytes);
    expect(r.ok).toBe(true);
    if (r.ok) expect(canon(r.pdu)).toEqual(canon(pdu));
  });

  test("random PDUs: decode(encode(p)) = p and encode(decode(b)) = b", () => {
    fc.assert(
      fc.property(pduArb(true), (pdu) => {
        const bytes = encodePdu(pdu);
        const r = decodePdu(bytes);
        if (!r.ok) throw new Error(r.reason);
        expect(canon(r.pdu)).toEqual(canon(pdu));
        expect([...encodePdu(r.pdu)]).toEqual([...bytes]);
      }),
      { numRuns: 2000 },
    );
  });

  test("a submit_sm matches the SMPP 3.4 byte layout", () => {
    const bytes = encodePdu({ command: "submit_sm", status: 0, sequence: 0x01020304, ...smFields({ destinationAddr: "45", shortMessage: text("A") }) });
    expect([...bytes]).toEqual([
      0, 0, 0, 36, 0, 0, 0, 4, 0, 0, 0, 0, 1, 2, 3, 4, // header
      0, 0, 0, 0, 0, 0, 0x34, 0x35, 0, // service_type, ton, npi, source "", ton, npi, "45"
      0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x41, // esm, pid, prio, sched, validity, regdlv, replace, dcs, default id, sm_length, "A"
    ]);
  });

  test("an unknown TLV is re-encoded byte for byte; a known tag with an odd length is kept raw", () => {
    const pdu: Pdu = { command: "deliver_sm", status: 0, sequence: 1, ...sm, tlvs: { unknown: [{ tag: 0x0427, value: Uint8Array.of(1, 2) }, { tag: 0x2000, value: new Uint8Array(0) }] } };
    const bytes = encodePdu(pdu);
    const r = decodePdu(bytes);
    expect(r.ok && r.pdu.command === "deliver_sm" && r.pdu.tlvs?.messageState).toBe(undefined);
    expect(r.ok && [...encodePdu(r.pdu)]).toEqual([...bytes]);
  });

  test("unencodable values throw RangeError (a caller fault, not input)", () => {
    expect(() => encodePdu({ command: "submit_sm", status: 0, sequence: 1, ...smFields({ destinationAddr: "1", shortMessage: new Uint8Array(256) }) })).toThrow(RangeError);
    expect(() => encodePdu({ command: "submit_sm", status: 0, sequence: 1, ...smFields({ destinationAddr: "1", shortMessage: new Uint8Array(0), tlvs: { messagePayload: new Uint8Array(70000) } }) })).toThrow(RangeError);
  });

  test("non-ASCII or NUL in a C-string becomes '?' instead of breaking the frame", () => {
    const r = decodePdu(encodePdu({ command: "submit_sm_resp", status: 0, sequence: 1, messageId: "a\u0000b\u20acc" }));
    expect(r.ok && r.pdu.command === "submit_sm_resp" && r.pdu.messageId).toBe("a?b?c");
  });
});

describe("decode errors are data", () => {
  const header = (length: number, id: number, seq = 7) => {
    const b = new Uint8Array(Math.max(length, 16));
    new DataView(b.buffer).setUint32(0, length);
    new DataView(b.buffer).setUint32(4, id);
    new DataView(b.buffer).setUint32(12, seq);
    return b;
  };
  test("unknown command id → ESME_RINVCMDID with the sequence", () => {
    expect(decodePdu(header(16, 0x00000103))).toEqual({ ok: false, reason: "unknown_command", status: Status.ESME_RINVCMDID, commandId: 0x103, sequence: 7 });
  });
  test("submit_sm with an empty body → ESME_RINVCMDLEN", () => {
    const r = decodePdu(header(16, CommandId.submit_sm));
    expect(r.ok ? "ok" : [r.reason, r.status]).toEqual(["unterminated_c_string", Status.ESME_RINVCMDLEN]);
  });
  test("sm_length past the end → error", () => {
    const bytes = encodePdu({ command: "submit_sm", status: 0, sequence: 1, ...smFields({ destinationAddr: "1", shortMessage: text("abc") }) });
    bytes[bytes.length - 4] = 200;
    const r = decodePdu(bytes);
    expect(r.ok ? "ok" : r.reason).toBe("short_message_overrun");
  });
  test("a TLV running past the end → ESME_RINVOPTPARSTREAM", () => {
    const bytes = encodePdu({ command: "deliver_sm", status: 0, sequence: 1, ...sm, tlvs: { messageState: 2 } });
    bytes[bytes.length - 2] = 9; // TLV length 9, one octet present
    const r = decodePdu(bytes);
    expect(r.ok ? 0 : r.status).toBe(Status.ESME_RINVOPTPARSTREAM);
  });
  test("frame length disagreeing with command_length → error", () => {
    expect(decodePdu(header(20, CommandId.enquire_link).subarray(0, 16)).ok).toBe(false);
  });
});

describe("status", () => {
  test("names and classes", () => {
    expect(statusName(0x58)).toBe("ESME_RTHROTTLED");
    expect(statusName(0x1234)).toBe("0x00001234");
    expect(classifyStatus(Status.ESME_ROK)).toBe("ok");
    expect(classifyStatus(Status.ESME_RTHROTTLED)).toBe("retry_other_bind");
    expect(classifyStatus(Status.ESME_RMSGQFUL)).toBe("retry_other_bind");
    expect(classifyStatus(Status.ESME_RINVBNDSTS)).toBe("rebind");
    expect(classifyStatus(Status.ESME_RINVDSTADR)).toBe("permanent");
    expect(classifyStatus(Status.ESME_RSUBMITFAIL)).toBe("permanent");
    expect(classifyStatus(Status.ESME_RSYSERR)).toBe("unknown");
    expect(classifyStatus(0x400)).toBe("unknown");
  });
});

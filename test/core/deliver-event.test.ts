import { describe, expect, test } from "bun:test";
import { DeliveryReport, InboundMessage } from "../../contract/index.ts";
import { decodeDeliver, isReceipt, parseReceiptText } from "../../core/inbound/deliver-event.ts";
import { decodeText } from "../../core/inbound/text-decode.ts";
import { smFields, type DeliverSmPdu } from "../../core/smpp/index.ts";


function deliver(fields: Parameters<typeof smFields>[0]): DeliverSmPdu {
  return { command: "deliver_sm", status: 0, sequence: 1, ...smFields(fields) };
}

const enc = (s: string) => new TextEncoder().encode(s);

describe("deliver_sm → event", () => {
  test("a receipt: TLVs win over the text, text fields fill in the rest", async () => {
    const pdu = deliver({
      sourceAddr: "12025550100", destinationAddr: "12345", esmClass: 0x04,
      shortMessage: enc("id:99999 sub:001 dlvrd:001 submit date:2611241000 done date:2611241001 stat:UNDELIV err:042 text:hello"),
      tlvs: { receiptedMessageId: "0A1B2C", messageState: 2, networkErrorCode: Uint8Array.of(3, 0, 42) },
    });
    expect(isReceipt(pdu)).toBe(true);
    const r = decodeDeliver(pdu);
    if (r.kind !== "receipt") throw new Error(r.kind);
    expect(DeliveryReport.parse(r.data)).toEqual(r.data);
    expect(r).toMatchObject({
      dedupKey: "dr:smsc:a1b2c:2:2611241001:042",
      data: { smscMessageId: "a1b2c", state: "DELIVERED", stateCode: 2, errorCode: "042", doneAt: "2026-11-24T10:01:00Z", networkErrorCode: "03002a" },
    });
  });

  test("a receipt without TLVs falls back to the text, leniently", async () => {
    const pdu = deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("id:12345 sub:001 dlvrd:001 submit date:261124100000 done date:261124100130 stat:DELIVRD err:000 Text:x") });
    const r = decodeDeliver(pdu);
    if (r.kind !== "receipt") throw new Error(r.kind);
    expect(r.data).toMatchObject({ smscMessageId: "12345", state: "DELIVERED", doneAt: "2026-11-24T10:01:30Z" });
  });

  test("the same receipt, whatever its id's rendering, has one dedup key; another state has another", async () => {
    const mk = (id: string, state: number) => decodeDeliver(deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("id:1 stat:DELIVRD"), tlvs: { receiptedMessageId: id, messageState: state } }));
    const key = (r: ReturnType<typeof decodeDeliver>) => (r.kind === "receipt" ? r.dedupKey : r.kind);
    expect(key(mk("ff", 2))).toBe(key(mk("00FF", 2)));
    expect(key(mk("ff", 2))).not.toBe(key(mk("ff", 1)));
  });

  test("a receipt with no id or no state is refused with a reason", async () => {
    const noId = decodeDeliver(deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("stat:DELIVRD") }));
    expect(noId).toEqual({ kind: "invalid", reason: "receipt without receipted_message_id or id:" });
    const noState = decodeDeliver(deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("id:5"), tlvs: { receiptedMessageId: "5" } }));
    expect(noState).toEqual({ kind: "invalid", reason: "receipt without a readable message_state or stat:" });
  });

  test("an MO: text by data_coding, long text from message_payload, E.164 sender", async () => {
    const utf16 = new Uint8Array([0x00, 0x68, 0x00, 0xe9, 0x27, 0x13]);
    const r = decodeDeliver(deliver({ sourceAddr: "447700900123", destinationAddr: "12345", dataCoding: 8, shortMessage: utf16 }));
    expect(isReceipt(deliver({ destinationAddr: "1", shortMessage: utf16 }))).toBe(false);
    if (r.kind !== "mo") throw new Error(r.kind);
    expect(InboundMessage.parse(r.mo)).toEqual({ from: "+447700900123", to: "12345", text: "hé✓" });
    const long = "ü".repeat(300);
    const p = decodeDeliver(deliver({ sourceAddr: "1202", destinationAddr: "1", shortMessage: new Uint8Array(0), tlvs: { messagePayload: enc(long) } }));
    expect(p.kind === "mo" && p.mo.text).toBe(long);
  });

  test("decodes Genesys' data_coding table", () => {
    expect(decodeText(enc("héllo"), 0)).toBe("héllo");
    expect(decodeText(Uint8Array.of(0x48, 0x69), 1)).toBe("Hi");
    expect(decodeText(Uint8Array.of(0x00, 0x1b, 0x65), 2)).toBe("@€"); // GSM 03.38 with the escape table
    expect(decodeText(Uint8Array.of(0xe9), 3)).toBe("é");
    expect(decodeText(Uint8Array.of(0xd0), 6)).toBe("а"); // Cyrillic small a in ISO-8859-5
    expect(decodeText(Uint8Array.of(0xb0, 0xa1), 14)).toBe("가");
    expect(decodeText(enc("x"), 99)).toBe("x");
  });

  test("parses receipt text fields it finds, and nothing else", () => {
    expect(parseReceiptText("garbage")).toEqual({});
    expect(parseReceiptText("ID:abc STAT:EXPIRED ERR:001")).toEqual({ id: "abc", stat: "EXPIRED", err: "001" });
  });
});

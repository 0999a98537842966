import { describe, expect, test } from "bun:test";
import { Event } from "../../contract/index.ts";
import { deliverToEvent, isReceipt, parseReceiptText } from "../../core/inbound/deliver-event.ts";
import { decodeText } from "../../core/inbound/text-decode.ts";
import { smFields, type DeliverSmPdu } from "../../core/smpp/index.ts";

const src = { channel: "smpp", site: "bos", node: "smc1.bos" } as const;
const at = new Date("2026-11-24T10:00:00Z");
const moKey = async (mo: { from: string; to: string; text: string }) => `mo:test:${mo.from}:${mo.to}:${mo.text}`;

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
    const r = await deliverToEvent(pdu, src, at, moKey);
    if (!r.ok) throw new Error(r.reason);
    expect(Event.parse(r.event)).toEqual(r.event);
    expect(r.event).toMatchObject({
      type: "message.status",
      source: src,
      data: { smscMessageId: "a1b2c", state: "DELIVERED", stateCode: 2, errorCode: "042", doneAt: "2026-11-24T10:01:00Z", networkErrorCode: "03002a" },
    });
  });

  test("a receipt without TLVs falls back to the text, leniently", async () => {
    const pdu = deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("id:12345 sub:001 dlvrd:001 submit date:261124100000 done date:261124100130 stat:DELIVRD err:000 Text:x") });
    const r = await deliverToEvent(pdu, src, at, moKey);
    if (!r.ok) throw new Error(r.reason);
    expect(r.event.data).toMatchObject({ smscMessageId: "12345", state: "DELIVERED", doneAt: "2026-11-24T10:01:30Z" });
  });

  test("the same receipt from another bind or site is the same event; another state is a new one", async () => {
    const mk = (state: number) => deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("id:1 stat:DELIVRD"), tlvs: { receiptedMessageId: "ff", messageState: state } });
    const a = await deliverToEvent(mk(2), src, at, moKey);
    const b = await deliverToEvent(mk(2), { channel: "smpp", site: "dc3", node: "smc2.dc3" }, new Date(), moKey);
    const c = await deliverToEvent(mk(1), src, at, moKey);
    if (!a.ok || !b.ok || !c.ok) throw new Error("decode");
    expect(a.event.id).toBe(b.event.id);
    expect(a.event.id).not.toBe(c.event.id);
  });

  test("a receipt with no id or no state is refused with a reason", async () => {
    const noId = await deliverToEvent(deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("stat:DELIVRD") }), src, at, moKey);
    expect(noId).toEqual({ ok: false, reason: "receipt without receipted_message_id or id:" });
    const noState = await deliverToEvent(deliver({ destinationAddr: "1", esmClass: 0x04, shortMessage: enc("id:5"), tlvs: { receiptedMessageId: "5" } }), src, at, moKey);
    expect(noState).toEqual({ ok: false, reason: "receipt without a readable message_state or stat:" });
  });

  test("an MO: text by data_coding, long text from message_payload, E.164 sender", async () => {
    const utf16 = new Uint8Array([0x00, 0x68, 0x00, 0xe9, 0x27, 0x13]);
    const r = await deliverToEvent(deliver({ sourceAddr: "447700900123", destinationAddr: "12345", dataCoding: 8, shortMessage: utf16 }), src, at, moKey);
    if (!r.ok) throw new Error(r.reason);
    expect(isReceipt(deliver({ destinationAddr: "1", shortMessage: utf16 }))).toBe(false);
    expect(r.event).toMatchObject({ type: "message.received", dedupKey: "mo:test:+447700900123:12345:hé✓", data: { from: "+447700900123", to: "12345", text: "hé✓" } });
    const long = "ü".repeat(300);
    const p = await deliverToEvent(deliver({ sourceAddr: "1202", destinationAddr: "1", shortMessage: new Uint8Array(0), tlvs: { messagePayload: enc(long) } }), src, at, moKey);
    expect(p.ok && p.event.data).toMatchObject({ text: long });
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

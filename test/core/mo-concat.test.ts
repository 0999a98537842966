/** Concatenated MO parts: UDH (8/16-bit reference) and SAR parsing, and reassembly of text split mid-character. */
import { describe, expect, test } from "bun:test";
import { decodeDeliver } from "../../core/inbound/deliver-event.ts";
import { GAP, assembleText, moPayload, splitUdh } from "../../core/inbound/concat.ts";
import { GSM_0338 } from "../../core/outbound/gsm-table.ts";
import { chunks, deliver, partPdu, utf16be } from "./helpers/concat-parts.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("concatenation info of one deliver_sm", () => {
  test("UDH with an 8-bit reference", () => {
    const p = moPayload(partPdu({ scheme: "udh8", ref: 0xa7, total: 3, seq: 2, payload: enc("middle") }));
    expect(p).toEqual({ kind: "part", concat: { scheme: "udh8", ref: 0xa7, total: 3, seq: 2 }, payload: enc("middle") });
  });

  test("UDH with a 16-bit reference", () => {
    const p = moPayload(partPdu({ scheme: "udh16", ref: 0xbeef, total: 2, seq: 1, payload: enc("first") }));
    expect(p).toEqual({ kind: "part", concat: { scheme: "udh16", ref: 0xbeef, total: 2, seq: 1 }, payload: enc("first") });
  });

  test("SAR TLVs", () => {
    const p = moPayload(partPdu({ scheme: "sar", ref: 513, total: 4, seq: 4, payload: enc("last") }));
    expect(p).toEqual({ kind: "part", concat: { scheme: "sar", ref: 513, total: 4, seq: 4 }, payload: enc("last") });
  });

  test("other UDH elements are skipped; the concatenation element is found after them", () => {
    // IE 0x05 (16-bit application ports, 4 octets), then IE 0x00.
    const sm = Uint8Array.of(11, 0x05, 4, 0x0b, 0x84, 0x23, 0xf0, 0x00, 3, 9, 2, 1, ...enc("hi"));
    expect(splitUdh(sm)).toEqual({ concat: { scheme: "udh8", ref: 9, total: 2, seq: 1 }, payload: enc("hi") });
  });

  test("a UDH without concatenation (or one 23.040 says to ignore) is a whole MO, its UDH not in the text", () => {
    const ports = deliver({ destinationAddr: "1", esmClass: 0x40, shortMessage: Uint8Array.of(6, 0x05, 4, 0, 1, 0, 2, ...enc("text")) });
    expect(decodeDeliver(ports)).toMatchObject({ kind: "mo", mo: { text: "text" } });
    for (const [total, seq] of [[1, 1], [0, 0], [3, 0], [3, 4]] as const) {
      const odd = deliver({ destinationAddr: "1", esmClass: 0x40, shortMessage: Uint8Array.of(5, 0, 3, 7, total, seq, ...enc("x")) });
      expect(decodeDeliver(odd)).toMatchObject({ kind: "mo", mo: { text: "x" } });
    }
  });

  test("a UDH that overruns the message is invalid (answered with an error, not stored as garbage)", () => {
    for (const sm of [Uint8Array.of(9, 0, 3, 1, 2, 1), Uint8Array.of(), Uint8Array.of(4, 0, 7, 1, 2)]) {
      expect(decodeDeliver(deliver({ destinationAddr: "1", esmClass: 0x40, shortMessage: sm })).kind).toBe("invalid");
    }
  });

  test("UDH wins over SAR TLVs; SAR with a bad seq is ignored", () => {
    const both = partPdu({ scheme: "udh8", ref: 1, total: 2, seq: 2, payload: enc("u"), extraTlvs: { sarMsgRefNum: 9, sarTotalSegments: 5, sarSegmentSeqnum: 1 } });
    expect(moPayload(both)).toMatchObject({ kind: "part", concat: { scheme: "udh8", ref: 1 } });
    const bad = deliver({ destinationAddr: "1", shortMessage: enc("s"), tlvs: { sarMsgRefNum: 1, sarTotalSegments: 2, sarSegmentSeqnum: 3 } });
    expect(moPayload(bad)).toEqual({ kind: "whole", payload: enc("s") });
  });

  test("decodeDeliver: a part keeps its bytes undecoded and names its group by sender, recipient, ref and total", () => {
    const d = decodeDeliver(partPdu({ scheme: "udh16", ref: 300, total: 2, seq: 2, payload: enc("b"), dataCoding: 8, from: "4512345678", to: "12345" }));
    expect(d).toEqual({
      kind: "mo_part",
      part: { from: "+4512345678", to: "12345", groupKey: "+4512345678|12345|300|2", concat: { scheme: "udh16", ref: 300, total: 2, seq: 2 }, dataCoding: 8, payload: enc("b") },
    });
    const sar = decodeDeliver(partPdu({ scheme: "sar", ref: 300, total: 2, seq: 1, payload: enc("a") }));
    expect(sar.kind === "mo_part" && sar.part.groupKey).toBe("+4512345678|12345|300|2");
  });
});

describe("reassembly", () => {
  const parts = (bytes: Uint8Array, size: number, dataCoding: number) => chunks(bytes, size).map((payload, i) => ({ seq: i + 1, dataCoding, payload }));

  test("UTF-16: a surrogate pair split across two parts decodes as one character", () => {
    const text = `${"é".repeat(66)}👋 and more ✓`;
    const ps = parts(utf16be(text), 134, 8); // 67 code units per part: the emoji's halves land in parts 1 and 2
    expect(ps[0]!.payload.at(-2)).toBe(0xd8);
    expect(assembleText(ps.reverse(), ps.length)).toEqual({ text, missing: [] });
  });

  test("GSM 03.38: an escape (0x1B) ending one part and its character starting the next", () => {
    const text = `${"a".repeat(152)}€ in total`;
    const bytes = GSM_0338.encode(text);
    const ps = parts(bytes, 153, 2);
    expect(ps[0]!.payload.at(-1)).toBe(0x1b);
    expect(assembleText(ps, ps.length).text).toBe(text);
  });

  test("UTF-8 split mid-character", () => {
    const text = "ø".repeat(100);
    const ps = parts(enc(text), 67, 0);
    expect(assembleText(ps, ps.length).text).toBe(text);
  });

  test("missing parts become gaps; a duplicated seq counts once", () => {
    const ps = [{ seq: 1, dataCoding: 0, payload: enc("one ") }, { seq: 3, dataCoding: 0, payload: enc(" three") }, { seq: 3, dataCoding: 0, payload: enc("XX") }];
    expect(assembleText(ps, 4)).toEqual({ text: `one ${GAP} three${GAP}`, missing: [2, 4] });
  });
});

// Framer: partial frames, many frames per chunk, split length prefixes, bad lengths.
import { describe, expect, test } from "bun:test";
import { encodePdu } from "../../core/smpp/codec.ts";
import { Framer } from "../../core/smpp/framer.ts";

const enquire = (sequence: number) => encodePdu({ command: "enquire_link", status: 0, sequence });
const submitResp = (sequence: number, messageId: string) => encodePdu({ command: "submit_sm_resp", status: 0, sequence, messageId });

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function feed(framer: Framer, chunks: Uint8Array[]) {
  const frames: Uint8Array[] = [];
  let error;
  for (const c of chunks) error = framer.push(c, (f) => frames.push(f)) ?? error;
  return { frames, error };
}

describe("Framer", () => {
  test("many PDUs in one chunk come out as zero-copy subarrays", () => {
    const stream = concat(enquire(1), submitResp(2, "abc"), enquire(3));
    const { frames, error } = feed(new Framer(), [stream]);
    expect(error).toBeUndefined();
    expect(frames.map((f) => f.length)).toEqual([16, 20, 16]);
    expect(frames[1]!.buffer).toBe(stream.buffer); // no copy
    expect([...frames[1]!]).toEqual([...submitResp(2, "abc")]);
  });

  test("every possible split point of a 3-PDU stream yields the same frames", () => {
    const stream = concat(enquire(1), submitResp(2, "message-id-1"), enquire(3));
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b += 3) {
        const framer = new Framer();
        const { frames, error } = feed(framer, [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]);
        expect(error).toBeUndefined();
        expect(concat(...frames)).toEqual(stream);
        expect(framer.buffered).toBe(0);
      }
    }
  });

  test("byte-by-byte delivery", () => {
    const stream = concat(submitResp(7, "x".repeat(40)), enquire(8));
    const framer = new Framer();
    const { frames } = feed(framer, [...stream].map((b) => Uint8Array.of(b)));
    expect(frames.length).toBe(2);
    expect(concat(...frames)).toEqual(stream);
  });

  test("a frame split across chunks is copied once and later chunks do not corrupt it", () => {
    const pdu = submitResp(9, "keep-me");
    const framer = new Framer();
    const frames: Uint8Array[] = [];
    const first = pdu.slice(0, 10);
    const second = concat(pdu.subarray(10), enquire(10));
    framer.push(first, (f) => frames.push(f));
    framer.push(second, (f) => frames.push(f));
    first.fill(0xee);
    second.fill(0xee);
    expect([...frames[0]!]).toEqual([...pdu]);
  });

  test("length under 16 is a bad_length error, with header fields when they arrived", () => {
    const bad = Uint8Array.of(0, 0, 0, 8, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 42);
    const { frames, error } = feed(new Framer(), [concat(enquire(1), bad)]);
    expect(frames.length).toBe(1);
    expect(error).toEqual({ kind: "bad_length", length: 8, commandId: 0x15, sequence: 42 });
  });

  test("length over the limit is rejected before any allocation, and the error sticks", () => {
    const framer = new Framer(1024);
    const big = Uint8Array.of(0, 0, 0x04, 0x01); // 1025
    const { error } = feed(framer, [big]);
    expect(error).toEqual({ kind: "bad_length", length: 1025, commandId: undefined, sequence: undefined });
    expect(framer.push(enquire(2), () => { throw new Error("no frames after an error"); })).toEqual(error!);
  });

  test("bad length whose prefix is split across chunks", () => {
    const framer = new Framer();
    expect(framer.push(Uint8Array.of(0xff, 0xff), () => {})).toBeUndefined();
    const { error } = feed(framer, [Uint8Array.of(0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 77)]);
    expect(error).toEqual({ kind: "bad_length", length: 0xffffffff, commandId: 4, sequence: 77 });
  });

  test("the default limit is 64 KiB: exactly 65536 passes, 65537 fails", () => {
    const ok = new Uint8Array(65536);
    ok.set([0, 1, 0, 0, 0, 0, 0, 0x15]);
    expect(feed(new Framer(), [ok]).frames.length).toBe(1);
    const bad = Uint8Array.of(0, 1, 0, 1);
    expect(feed(new Framer(), [bad]).error?.length).toBe(65537);
  });

  test("empty chunks are harmless", () => {
    const framer = new Framer();
    const { frames, error } = feed(framer, [new Uint8Array(0), enquire(1), new Uint8Array(0)]);
    expect(error).toBeUndefined();
    expect(frames.length).toBe(1);
  });
});

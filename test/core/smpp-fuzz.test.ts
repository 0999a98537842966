// Fuzzing the framer and decoder with >= 100,000 random and mutated frames: nothing may throw,
// every result is ok or a typed error, and anything that decodes re-encodes to a stable form.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { decodePdu, encodePdu, type DecodeResult } from "../../core/smpp/codec.ts";
import { Framer } from "../../core/smpp/framer.ts";
import { canon, pduArb } from "./smpp-arbitraries.ts";
import { rng } from "../rng.ts";

// Deterministic PRNG so a failure reproduces; fast-check seeds the corpus.
const rand = rng(0xc0ffee);
const int = (n: number) => Math.floor(rand() * n);

const corpus = fc.sample(pduArb(true), { numRuns: 500, seed: 42 }).map(encodePdu);

function mutate(src: Uint8Array): Uint8Array {
  let b = src.slice();
  const edits = 1 + int(4);
  for (let e = 0; e < edits; e++) {
    switch (int(6)) {
      case 0: if (b.length) { const i = int(b.length); b[i] = b[i]! ^ (1 << int(8)); } break; // bit flip
      case 1: if (b.length) b[int(b.length)] = int(256); break; // random byte
      case 2: b = b.slice(0, int(b.length + 1)); break; // truncate
      case 3: { const x = new Uint8Array(b.length + 1 + int(8)); x.set(b); for (let i = b.length; i < x.length; i++) x[i] = int(256); b = x; break; } // extend
      case 4: if (b.length > 16) b[16 + int(b.length - 16)] = 0; break; // stray NUL in the body
      case 5: if (b.length > 16) b.fill(0xff, 16 + int(b.length - 16)); break; // no NULs in the tail
    }
  }
  // Usually keep command_length truthful so the decoder, not just the length check, is exercised.
  if (b.length >= 4 && rand() < 0.8) new DataView(b.buffer).setUint32(0, b.length);
  return b;
}

function randomFrame(): Uint8Array {
  const b = new Uint8Array(int(80));
  for (let i = 0; i < b.length; i++) b[i] = int(256);
  if (b.length >= 8 && rand() < 0.7) {
    new DataView(b.buffer).setUint32(0, b.length);
    // Bias the command_id toward ones we speak, so bodies get parsed.
    const ids = [1, 2, 4, 5, 6, 9, 0x15, 0x80000000, 0x80000001, 0x80000004, 0x80000005, 0x80000015];
    new DataView(b.buffer).setUint32(4, ids[int(ids.length)]!);
  }
  return b;
}

function check(r: DecodeResult): void {
  if (r.ok) {
    // Anything accepted must re-encode, and that encoding must decode to the same PDU.
    const again = decodePdu(encodePdu(r.pdu));
    if (!again.ok) throw new Error(`re-decode failed: ${again.reason}`);
    if (!Bun.deepEquals(canon(again.pdu), canon(r.pdu))) throw new Error(`unstable re-encode: ${JSON.stringify(canon(r.pdu))} vs ${JSON.stringify(canon(again.pdu))}`);
  } else if (typeof r.status !== "number" || typeof r.reason !== "string") {
    throw new Error("malformed error result");
  }
}

test("100,000+ random and mutated frames through framer and decoder", () => {
  let frames = 0;
  let ok = 0;
  let errors = 0;
  let framerErrors = 0;
  const started = performance.now();
  for (let round = 0; round < 2_000; round++) {
    // One connection's worth of traffic: 50 frames, mutated or random, cut at random points.
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) parts.push(rand() < 0.6 ? mutate(corpus[int(corpus.length)]!) : randomFrame());
    for (const p of parts) {
      const r = decodePdu(p); // every frame straight into the decoder
      frames++;
      check(r);
      if (r.ok) ok++;
      else errors++;
    }
    const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { stream.set(p, o); o += p.length; }
    let framer = new Framer(rand() < 0.5 ? 64 * 1024 : 256);
    for (let at = 0; at < stream.length; ) {
      const n = 1 + int(64);
      const err = framer.push(stream.subarray(at, at + n), (f) => check(decodePdu(f)));
      at += n;
      if (err) {
        expect(err.kind).toBe("bad_length");
        framerErrors++;
        framer = new Framer(); // the session would close; a new connection starts clean
      }
    }
  }
  const ms = performance.now() - started;
  expect(frames).toBeGreaterThanOrEqual(100_000);
  expect(ok).toBeGreaterThan(1_000); // the mutations do not only produce garbage
  expect(errors).toBeGreaterThan(1_000);
  expect(framerErrors).toBeGreaterThan(0);
  expect(ms).toBeLessThan(15_000);
});

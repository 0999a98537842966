// PduWriter: per-tick coalescing and short-write/drain handling. A scripted SmppSocket stands in
// for the kernel here because a real socket cannot be made to take exactly N octets on demand;
// the session tests cover the writer over real sockets.
import { expect, test } from "bun:test";
import { decodePdu, encodePdu } from "../../core/smpp/codec.ts";
import { Framer } from "../../core/smpp/framer.ts";
import type { Pdu } from "../../core/smpp/pdu.ts";
import type { SmppSocket } from "../../core/smpp/transport.ts";
import { PduWriter } from "../../core/smpp/writer.ts";

function scriptedSocket(accept: () => number) {
  const writes: Uint8Array[] = [];
  const socket: SmppSocket = {
    write(d) {
      const n = Math.min(d.length, accept());
      writes.push(d.slice(0, n));
      return n;
    },
    end() {},
  };
  return { socket, writes, bytes: () => Uint8Array.from(writes.flatMap((w) => [...w])) };
}

const resp = (sequence: number): Pdu => ({ command: "submit_sm_resp", status: 0, sequence, messageId: `m${sequence}` });

test("PDUs written in one tick leave in one socket write", async () => {
  const s = scriptedSocket(() => Infinity);
  const w = new PduWriter(s.socket);
  for (let i = 1; i <= 100; i++) w.write(resp(i));
  expect(s.writes.length).toBe(0); // nothing before the end of the tick
  await Promise.resolve();
  expect(s.writes.length).toBe(1);
  expect(s.bytes()).toEqual(Uint8Array.from(Array.from({ length: 100 }, (_, i) => [...encodePdu(resp(i + 1))]).flat()));
});

test("short writes keep order across drains, with new PDUs batched behind the tail", async () => {
  let budget = 50;
  const s = scriptedSocket(() => {
    const n = budget;
    budget = 0;
    return n;
  });
  const w = new PduWriter(s.socket);
  for (let i = 1; i <= 2_000; i++) w.write(resp(i)); // grows past the initial 16 KiB buffer
  await Promise.resolve();
  for (let i = 2_001; i <= 2_100; i++) w.write(resp(i));
  await Promise.resolve();
  expect(w.backlog).toBeGreaterThan(0);
  for (let round = 0; w.backlog > 0 && round < 10_000; round++) {
    budget = 997;
    w.drain();
  }
  expect(w.backlog).toBe(0);
  const seqs: number[] = [];
  new Framer().push(s.bytes(), (f) => {
    const r = decodePdu(f);
    if (r.ok) seqs.push(r.pdu.sequence);
  });
  expect(seqs).toEqual(Array.from({ length: 2_100 }, (_, i) => i + 1));
});

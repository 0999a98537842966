/**
 * A deliberately minimal SMSC for benchmarks, run as its own Bun process: answers bind_* with
 * ROK, submit_sm with a submit_sm_resp carrying an 8-hex-digit message id, enquire_link and
 * unbind. Hand-written framing (not core/smpp) so the benchmark peer shares no code with the
 * client under test. All answers to one incoming chunk go out in one write.
 * Usage: bun test/bench/smpp-responder.ts  → prints "port <n>" on stdout.
 */
import type { Socket } from "bun";

interface Conn {
  rest: Uint8Array | undefined;
  out: Uint8Array[];
  pending: Uint8Array | undefined;
}

let messageCounter = 0;

function respond(c: Conn, frame: Uint8Array, dv: DataView, at: number, out: number[]): void {
  const id = dv.getUint32(at + 4);
  const seq = dv.getUint32(at + 12);
  const header = (len: number, rid: number) => {
    out.push(len >>> 24, (len >>> 16) & 255, (len >>> 8) & 255, len & 255, rid >>> 24, (rid >>> 16) & 255, (rid >>> 8) & 255, rid & 255, 0, 0, 0, 0, seq >>> 24, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255);
  };
  if (id === 4) {
    header(16 + 9, 0x80000004);
    const m = (messageCounter++ >>> 0).toString(16).padStart(8, "0");
    for (let i = 0; i < 8; i++) out.push(m.charCodeAt(i));
    out.push(0);
  } else if (id === 1 || id === 2 || id === 9) {
    header(16 + 6, (0x80000000 | id) >>> 0);
    out.push(0x62, 0x65, 0x6e, 0x63, 0x68, 0); // "bench"
  } else if (id === 0x15 || id === 6) {
    header(16, (0x80000000 | id) >>> 0);
  }
  void c;
  void frame;
}

function onData(s: Socket<Conn>, chunk: Uint8Array): void {
  const c = s.data;
  let buf = chunk;
  if (c.rest) {
    buf = new Uint8Array(c.rest.length + chunk.length);
    buf.set(c.rest);
    buf.set(chunk, c.rest.length);
    c.rest = undefined;
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: number[] = [];
  let o = 0;
  while (buf.length - o >= 4) {
    const len = dv.getUint32(o);
    if (len < 16 || len > 65536) {
      s.end();
      return;
    }
    if (buf.length - o < len) break;
    respond(c, buf, dv, o, out);
    o += len;
  }
  if (o < buf.length) c.rest = buf.slice(o);
  if (out.length) send(s, Uint8Array.from(out));
}

function send(s: Socket<Conn>, data: Uint8Array): void {
  const c = s.data;
  if (c.pending) {
    c.out.push(data);
    return;
  }
  const n = s.write(data);
  if (n < data.length) c.pending = data.subarray(Math.max(0, n));
}

const server = Bun.listen<Conn>({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  socket: {
    binaryType: "uint8array",
    open(s) {
      s.data = { rest: undefined, out: [], pending: undefined };
    },
    data: onData,
    drain(s) {
      const c = s.data;
      while (c.pending) {
        const n = s.write(c.pending);
        if (n < c.pending.length) {
          c.pending = c.pending.subarray(Math.max(0, n));
          return;
        }
        c.pending = c.out.shift();
      }
    },
  },
});
console.log(`port ${server.port}`);
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});

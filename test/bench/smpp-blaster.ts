/**
 * A fast raw-socket SMSC for the inbound benchmark, run as its own Bun process: answers bind_* (ROK),
 * enquire_link, unbind and submit_sm (an 8-hex-digit id, like smpp-responder.ts), and on every bound session
 * sends COUNT deliver_sm (MOs with unique text, or receipts) keeping at most WINDOW unanswered, counting the
 * deliver_sm_resp. When SESSIONS sessions have had all their answers it prints one JSON line:
 * {acked, nacked, seconds} (seconds = first deliver_sm written → last deliver_sm_resp read) and starts counting anew.
 * Hand-written framing (not core/smpp): the peer shares no code with the client under test.
 * HOLD=1: bound sessions wait for SIGUSR2 before blasting (the memory bench measures the idle core first).
 * Usage: COUNT=25000 WINDOW=256 SESSIONS=4 KIND=mo|receipt bun test/bench/smpp-blaster.ts → "port <n>"
 */
import type { Socket } from "bun";

const COUNT = Number(process.env.COUNT ?? 25_000);
const WINDOW = Number(process.env.WINDOW ?? 256);
const SESSIONS = Number(process.env.SESSIONS ?? 4);
const KIND = process.env.KIND === "receipt" ? "receipt" : "mo";
let held = process.env.HOLD === "1";
const RUN = process.env.RUN ?? Math.random().toString(36).slice(2, 8);

interface Conn {
  id: number;
  rest: Uint8Array | undefined;
  pending: Uint8Array[];
  blocked: boolean;
  seq: number;
  sent: number;
  outstanding: number;
  acked: number;
  nacked: number;
  blasting: boolean;
}

let nextConn = 0;
let messageCounter = 0;
let done = 0;
let firstSentAt = 0;
let totals = { acked: 0, nacked: 0 };
const enc = new TextEncoder();

function header(out: number[], len: number, id: number, status: number, seq: number): void {
  for (const v of [len, id, status, seq]) out.push(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
}

function cstr(out: number[], s: string): void {
  for (const b of enc.encode(s)) out.push(b);
  out.push(0);
}

/** One deliver_sm: an MO with unique text, or a DELIVRD receipt for a unique SMSC id. */
function deliverSm(c: Conn, n: number, out: number[]): void {
  const body: number[] = [];
  cstr(body, ""); // service_type
  body.push(1, 1);
  cstr(body, "4512345678");
  body.push(0, 0);
  cstr(body, "12345");
  const receipt = KIND === "receipt";
  body.push(receipt ? 0x04 : 0, 0, 0); // esm_class, protocol_id, priority_flag
  cstr(body, "");
  cstr(body, "");
  body.push(0, 0, 0, 0); // registered_delivery, replace_if_present, data_coding, sm_default_msg_id
  const smscId = `${RUN}${c.id.toString(16)}${n.toString(16).padStart(8, "0")}`;
  const text = receipt
    ? `id:${smscId} sub:001 dlvrd:001 submit date:2601011200 done date:2601011201 stat:DELIVRD err:000 text:bench`
    : `bench MO ${RUN} ${c.id}-${n}: a reply about as long as a typical answer to a campaign`;
  const sm = enc.encode(text);
  body.push(sm.length, ...sm);
  if (receipt) {
    const id = enc.encode(smscId);
    body.push(0x00, 0x1e, 0, id.length + 1, ...id, 0); // receipted_message_id
    body.push(0x04, 0x27, 0, 1, 2); // message_state DELIVERED
  }
  c.seq = c.seq >= 0x7fffffff ? 1 : c.seq + 1;
  header(out, 16 + body.length, 0x00000005, 0, c.seq);
  for (const b of body) out.push(b);
}

function pump(s: Socket<Conn>): void {
  const c = s.data;
  if (!c.blasting || c.blocked || held) return;
  const out: number[] = [];
  while (c.sent < COUNT && c.outstanding < WINDOW) {
    if (firstSentAt === 0) firstSentAt = performance.now();
    deliverSm(c, c.sent, out);
    c.sent++;
    c.outstanding++;
  }
  if (out.length) send(s, Uint8Array.from(out));
}

function finish(c: Conn): void {
  totals.acked += c.acked;
  totals.nacked += c.nacked;
  if (++done < SESSIONS) return;
  console.log(JSON.stringify({ ...totals, seconds: (performance.now() - firstSentAt) / 1000 }));
  done = 0;
  firstSentAt = 0;
  totals = { acked: 0, nacked: 0 };
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
  let startBlast = false;
  while (buf.length - o >= 4) {
    const len = dv.getUint32(o);
    if (len < 16 || len > 65536) return void s.end();
    if (buf.length - o < len) break;
    const id = dv.getUint32(o + 4);
    const status = dv.getUint32(o + 8);
    const seq = dv.getUint32(o + 12);
    if (id === 0x80000005) {
      c.outstanding--;
      if (status === 0) c.acked++;
      else c.nacked++;
      if (c.acked + c.nacked === COUNT) finish(c);
    } else if (id === 1 || id === 2 || id === 9) {
      header(out, 16 + 6, (0x80000000 | id) >>> 0, 0, seq);
      out.push(0x62, 0x6c, 0x61, 0x73, 0x74, 0); // "blast"
      if (id !== 2) startBlast = true; // transmitter binds get no deliver_sm
    } else if (id === 4) {
      header(out, 16 + 9, 0x80000004, 0, seq);
      const m = (messageCounter++ >>> 0).toString(16).padStart(8, "0");
      for (let i = 0; i < 8; i++) out.push(m.charCodeAt(i));
      out.push(0);
    } else if (id === 0x15 || id === 6) {
      header(out, 16, (0x80000000 | id) >>> 0, 0, seq);
    }
    o += len;
  }
  if (o < buf.length) c.rest = buf.slice(o);
  if (out.length) send(s, Uint8Array.from(out));
  if (startBlast) c.blasting = true;
  pump(s);
}

function send(s: Socket<Conn>, data: Uint8Array): void {
  const c = s.data;
  if (c.blocked) return void c.pending.push(data);
  const n = s.write(data);
  if (n < data.length) {
    c.blocked = true;
    c.pending.push(data.subarray(Math.max(0, n)));
  }
}

const conns = new Set<Socket<Conn>>();
const server = Bun.listen<Conn>({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  socket: {
    binaryType: "uint8array",
    open(s) {
      conns.add(s);
      s.data = { id: nextConn++, rest: undefined, pending: [], blocked: false, seq: 0, sent: 0, outstanding: 0, acked: 0, nacked: 0, blasting: false };
    },
    data: onData,
    close(s) {
      conns.delete(s);
    },
    drain(s) {
      const c = s.data;
      while (c.pending.length) {
        const d = c.pending[0]!;
        const n = s.write(d);
        if (n < d.length) {
          c.pending[0] = d.subarray(Math.max(0, n));
          return;
        }
        c.pending.shift();
      }
      c.blocked = false;
      pump(s);
    },
  },
});
console.log(`port ${server.port}`);
process.on("SIGUSR2", () => {
  held = false;
  for (const s of conns) pump(s);
});
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});

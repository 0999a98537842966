/**
 * A raw SMSC for hostile-peer tests and the soak scenarios, written against the wire (node:net, hand-framed PDUs, none of the
 * project's own SMPP code): it answers binds, enquire_link and unbind like an SMSC, and hands every other PDU
 * to the scenario, which decides how to misbehave (never answer, never read, flood, garbage…).
 */
import { createServer, type Server, type Socket } from "node:net";

export interface RawPdu {
  readonly command: number;
  readonly status: number;
  readonly sequence: number;
  readonly body: Buffer;
}

export const Cmd = {
  bind_receiver: 0x01, bind_transmitter: 0x02, submit_sm: 0x04, deliver_sm: 0x05, unbind: 0x06, bind_transceiver: 0x09,
  enquire_link: 0x15, generic_nack: 0x80000000, submit_sm_resp: 0x80000004, deliver_sm_resp: 0x80000005,
} as const;

/** One PDU: header + body. */
export function pdu(command: number, status: number, sequence: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.alloc(16 + body.length);
  b.writeUInt32BE(16 + body.length, 0);
  b.writeUInt32BE(command >>> 0, 4);
  b.writeUInt32BE(status >>> 0, 8);
  b.writeUInt32BE(sequence >>> 0, 12);
  b.set(body, 16);
  return b;
}

const cstr = (s: string) => Buffer.from(`${s}\0`, "latin1");

/** submit_sm_resp with a message_id. */
export const submitResp = (sequence: number, messageId: string, status = 0) => pdu(Cmd.submit_sm_resp, status, sequence, cstr(messageId));

/** A plain MO deliver_sm (GSM default alphabet as latin1 for ASCII text). */
export function deliverSm(sequence: number, from: string, to: string, text: string): Buffer {
  const sm = Buffer.from(text, "latin1");
  const body = Buffer.concat([
    cstr(""), Buffer.from([1, 1]), cstr(from), Buffer.from([0, 0]), cstr(to),
    Buffer.from([0, 0, 0]), cstr(""), cstr(""), Buffer.from([0, 0, 0, 0, sm.length]), sm,
  ]);
  return pdu(Cmd.deliver_sm, 0, sequence, body);
}

/** submit_sm's destination_addr (after service_type, source ton/npi/addr, dest ton/npi). */
export function submitDestination(body: Buffer): string {
  let i = body.indexOf(0) + 1; // service_type
  i += 2;
  i = body.indexOf(0, i) + 1; // source_addr
  i += 2;
  return body.toString("latin1", i, body.indexOf(0, i));
}

export interface PeerConn {
  readonly socket: Socket;
  readonly id: number;
  /** Every PDU received on this connection: [command_id, sequence]. */
  readonly seen: [number, number][];
  write(b: Uint8Array): void;
}

export interface HostilePeerOptions {
  /** Called for every PDU but bind_*, enquire_link and unbind (answered like an SMSC). */
  onPdu?(c: PeerConn, p: RawPdu): void;
  /** Called once the bind was answered. */
  onBound?(c: PeerConn): void;
  /** Called when a connection closes. */
  onClose?(c: PeerConn): void;
  /** Answer enquire_link (default true). */
  answerEnquireLink?: boolean;
}

export interface HostilePeer {
  readonly port: number;
  readonly server: Server;
  /** Connections accepted so far, and binds answered. */
  readonly stats: { connections: number; binds: number; open: number };
  /** Every connection accepted, in order. */
  readonly conns: PeerConn[];
  close(): Promise<void>;
}

export async function hostilePeer(o: HostilePeerOptions): Promise<HostilePeer> {
  const stats = { connections: 0, binds: 0, open: 0 };
  const sockets = new Set<Socket>();
  const conns: PeerConn[] = [];
  const server = createServer((socket) => {
    stats.connections++;
    stats.open++;
    sockets.add(socket);
    const c: PeerConn = { socket, id: stats.connections, seen: [], write: (b) => void socket.write(b) };
    conns.push(c);
    let buf: Buffer = Buffer.alloc(0);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      stats.open--;
      sockets.delete(socket);
      o.onClose?.(c);
    });
    socket.on("data", (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 16) {
        const len = buf.readUInt32BE(0);
        if (len < 16 || len > 70_000) return void socket.destroy();
        if (buf.length < len) break;
        const p: RawPdu = { command: buf.readUInt32BE(4), status: buf.readUInt32BE(8), sequence: buf.readUInt32BE(12), body: buf.subarray(16, len) };
        buf = buf.subarray(len);
        c.seen.push([p.command, p.sequence]);
        if (p.command === Cmd.bind_transceiver || p.command === Cmd.bind_transmitter || p.command === Cmd.bind_receiver) {
          stats.binds++;
          c.write(pdu(p.command | 0x80000000, 0, p.sequence, cstr("HOSTILE")));
          o.onBound?.(c);
        } else if (p.command === Cmd.enquire_link) {
          if (o.answerEnquireLink !== false) c.write(pdu(0x80000015, 0, p.sequence));
        } else if (p.command === Cmd.unbind) {
          c.write(pdu(0x80000006, 0, p.sequence));
          socket.end();
        } else {
          o.onPdu?.(c, p);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    server,
    stats,
    conns,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * A connection flood against a real server, for the tests and the soak: `count` TCP connections to one port,
 * each silent (half-open: never a byte) or sending `send` once (e.g. one keep-alive request) and then idle.
 * Nothing is read back beyond what the kernel buffers. Counts the connections the server closed itself.
 */
import { connect, type Socket } from "node:net";

export interface Flood {
  /** Connections that completed the TCP handshake (the kernel's backlog counts: the server may not have accepted them). */
  connected(): number;
  /** Connections the server (or the kernel, refusing) ended before we did. */
  closedByPeer(): number;
  /** Ends every connection still open. */
  close(): void;
}

export async function connectionFlood(port: number, count: number, opts: { host?: string; send?: string; settleMs?: number } = {}): Promise<Flood> {
  const sockets: Socket[] = [];
  let connected = 0;
  let closedByPeer = 0;
  let closing = false;
  for (let i = 0; i < count; i++) {
    const s = connect(port, opts.host ?? "127.0.0.1", () => {
      connected++;
      if (opts.send !== undefined) s.write(opts.send);
    });
    s.on("error", () => undefined);
    s.on("data", () => undefined);
    s.on("close", () => {
      if (!closing) closedByPeer++;
    });
    sockets.push(s);
  }
  await new Promise((r) => setTimeout(r, opts.settleMs ?? 1_000));
  return {
    connected: () => connected,
    closedByPeer: () => closedByPeer,
    close() {
      closing = true;
      for (const s of sockets) s.destroy();
    },
  };
}

/** GETs `url` until it answers `status` (each try bounded by `tryMs`); resolves with the ms it took, or throws after `ms`. */
export async function answersWithin(url: string, ms: number, status = 200, tryMs = 1_000): Promise<number> {
  const t0 = Date.now();
  let last = "no answer";
  while (Date.now() - t0 < ms) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(tryMs) });
      await res.body?.cancel();
      if (res.status === status) return Date.now() - t0;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.name : String(e);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} did not answer ${status} within ${ms} ms (last: ${last})`);
}

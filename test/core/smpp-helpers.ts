/**
 * Shared helpers for the SMPP tests: the npm `smpp` package (an independent implementation used
 * as the peer), a manual clock, and raw loopback servers for byte-level misbehaviour.
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type { Clock, TimerId } from "../../contract/clock.ts";
import type { SessionOptions } from "../../core/smpp/session.ts";

/** The parts of the untyped `smpp` package these tests use. */
export interface PkgPdu {
  command: string;
  command_id: number;
  command_status: number;
  sequence_number: number;
  [field: string]: unknown;
  toBuffer(): Buffer;
  response(options?: Record<string, unknown>): PkgPdu;
  isResponse(): boolean;
}
export interface PkgSession {
  on(event: string, fn: (...args: any[]) => void): void;
  send(pdu: PkgPdu, onResponse?: (pdu: PkgPdu) => void): boolean;
  close(cb?: () => void): void;
  destroy(cb?: () => void): void;
  socket: { write(b: Uint8Array): boolean; destroy(): void; end(): void };
  [command: string]: any;
}
export interface PkgServer {
  listen(port: number, host: string, cb: () => void): void;
  address(): AddressInfo;
  close(cb?: () => void): void;
  sessions: PkgSession[];
}
export interface SmppPackage {
  PDU: { new (command: string, options?: Record<string, unknown>): PkgPdu; fromBuffer(b: Buffer): PkgPdu | false; prototype: PkgPdu; maxLength: number };
  createServer(options: Record<string, unknown>, listener: (s: PkgSession) => void): PkgServer;
  connect(options: Record<string, unknown>, listener?: () => void): PkgSession;
}

export const smpp = createRequire(import.meta.url)("smpp") as SmppPackage;

/** An `smpp` package SMSC on 127.0.0.1:0; `onSession` wires each accepted session. */
async function startSmsc(onSession: (s: PkgSession) => void): Promise<{ port: number; server: PkgServer; close(): Promise<void> }> {
  const server = smpp.createServer({}, (s) => {
    s.on("error", () => {}); // peers we kill on purpose
    onSession(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const s of [...server.sessions]) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Answers bind_* with ESME_ROK and system_id "SMSC", enquire_link, and unbind (then closes). */
export function acceptBinds(s: PkgSession): void {
  for (const c of ["bind_transceiver", "bind_transmitter", "bind_receiver"]) {
    s.on(c, (pdu: PkgPdu) => s.send(pdu.response({ system_id: "SMSC" })));
  }
  s.on("enquire_link", (pdu: PkgPdu) => s.send(pdu.response()));
  s.on("unbind", (pdu: PkgPdu) => {
    s.send(pdu.response());
    s.close();
  });
}

/** Session options for a loopback SMSC with short, test-friendly timings. */
export function optionsFor(port: number, extra: Partial<SessionOptions> = {}): SessionOptions {
  return {
    endpoint: { host: "127.0.0.1", port },
    systemId: "esme",
    password: "pw",
    responseTimeoutMs: 2_000,
    bindTimeoutMs: 2_000,
    enquireLinkIdleMs: 0,
    ...extra,
  };
}

/** A clock whose time only moves when the test says so. */
export class ManualClock implements Clock {
  #now = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #id = 0;
  now(): number {
    return this.#now;
  }
  monotonic(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.#id;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  }
  clearTimeout(handle: TimerId): void {
    this.#timers.delete(handle as number);
  }
  /** Moves time forward, firing due timers in time order (including ones they schedule). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].at <= target && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = target;
  }
}

/** Polls `cond` until true (or fails after `ms`), for waiting on real socket I/O. */
export async function until(cond: () => boolean, ms = 2_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(2);
  }
}

/** One scripted SMSC for a test file: each test sets `behave` for the next accepted connection. */
export interface ScriptedSmsc {
  readonly port: number;
  /** How the next accepted session behaves (default: accept binds). */
  behave: (s: PkgSession, seen: PkgPdu[]) => void;
  /** Every accepted session, with the PDUs it received, in order. */
  readonly peers: { s: PkgSession; seen: PkgPdu[] }[];
  lastPeer(): { s: PkgSession; seen: PkgPdu[] };
  close(): Promise<void>;
}

export async function scriptedSmsc(): Promise<ScriptedSmsc> {
  const peers: { s: PkgSession; seen: PkgPdu[] }[] = [];
  const script = { behave: acceptBinds as ScriptedSmsc["behave"] };
  const smsc = await startSmsc((s) => {
    const seen: PkgPdu[] = [];
    s.on("pdu", (p: PkgPdu) => seen.push(p));
    peers.push({ s, seen });
    script.behave(s, seen);
  });
  return {
    port: smsc.port,
    get behave() {
      return script.behave;
    },
    set behave(fn) {
      script.behave = fn;
    },
    peers,
    lastPeer: () => peers[peers.length - 1]!,
    close: () => smsc.close(),
  };
}

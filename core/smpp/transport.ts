/**
 * The session's view of a socket, kept tiny so the protocol logic does not depend on Bun's
 * socket API directly, plus the Bun implementation (`Bun.connect`, TLS with verification).
 */
import type { Socket } from "bun";

/** What the session needs from a connected socket. */
export interface SmppSocket {
  /** Writes as much of `data` as the kernel takes now; returns the octets taken (may be < length). */
  write(data: Uint8Array): number;
  /** Half-closes after pending data; the peer sees EOF. */
  end(): void;
  /** Stops reading (the peer sees TCP backpressure) until resume(). */
  pause?(): void;
  resume?(): void;
}

/** Callbacks the transport drives. */
export interface SocketHandlers {
  data(chunk: Uint8Array): void;
  /** The socket can take more data after a short write. */
  drain(): void;
  /** The connection is gone (peer EOF, reset, or our end()); called once. */
  closed(error?: string): void;
}

/** TLS settings for an SMSC endpoint. Verification is always on. */
export interface TlsSettings {
  /** PEM CA certificate(s) to trust instead of the system store (e.g. a private CA). */
  ca?: string | string[];
  /** Name to verify in the certificate (SNI); defaults to the host. */
  serverName?: string;
}

/** Where to connect. */
export interface Endpoint {
  host: string;
  port: number;
  /** TLS on when set (true = system CAs). */
  tls?: TlsSettings | boolean;
}

export type ConnectResult = { ok: true; socket: SmppSocket } | { ok: false; error: string };

/** Opens a connection; resolves (never rejects) once connected, TLS-verified, or failed. */
export type Connector = (endpoint: Endpoint, handlers: SocketHandlers) => Promise<ConnectResult>;

const wrap = (s: Socket): SmppSocket => ({ write: (d) => s.write(d), end: () => void s.end(), pause: () => s.pause(), resume: () => s.resume() });

/** Connector over `Bun.connect`. */
export const bunConnector: Connector = (endpoint, handlers) =>
  new Promise<ConnectResult>((resolve) => {
    let settled = false;
    let closed = false;
    const settle = (r: ConnectResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const close = (error?: string) => {
      if (closed) return;
      closed = true;
      if (!settled) settle({ ok: false, error: error ?? "closed before open" });
      else handlers.closed(error);
    };
    const tls =
      endpoint.tls === undefined || endpoint.tls === false
        ? undefined
        : {
            // Explicit: verification must not depend on NODE_TLS_REJECT_UNAUTHORIZED.
            rejectUnauthorized: true,
            serverName: (endpoint.tls === true ? undefined : endpoint.tls.serverName) ?? endpoint.host,
            ...(endpoint.tls !== true && endpoint.tls.ca !== undefined ? { ca: endpoint.tls.ca } : {}),
          };
    Bun.connect({
      hostname: endpoint.host,
      port: endpoint.port,
      ...(tls ? { tls } : {}),
      socket: {
        binaryType: "uint8array",
        open(s) {
          // With TLS, wait for the verified handshake: nothing (no password) may go out before it.
          if (!tls) settle({ ok: true, socket: wrap(s) });
        },
        handshake(s, _success, authorizationError) {
          if (authorizationError) {
            settle({ ok: false, error: `TLS verification failed: ${authorizationError.message}` });
            s.end();
          } else {
            settle({ ok: true, socket: wrap(s) });
          }
        },
        data(_s, chunk) {
          handlers.data(chunk);
        },
        drain() {
          handlers.drain();
        },
        end(s) {
          s.end();
          close("peer closed");
        },
        close(_s, error) {
          close(error?.message);
        },
        error(_s, error) {
          close(error.message);
        },
        connectError(_s, error) {
          settle({ ok: false, error: error.message });
        },
      },
    }).catch((error: unknown) => settle({ ok: false, error: error instanceof Error ? error.message : String(error) }));
  });

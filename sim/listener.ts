// A TCP listener that can be taken down and brought back on the same port. "down" must make new
// connects fail fast with ECONNREFUSED, so the listening socket is really closed (and open sockets
// destroyed), then a fresh server is made and bound to the same port when the fault goes away.
import type { Server, Socket } from "node:net";

const REBIND_TRIES = 50;
const REBIND_DELAY_MS = 100;

/** Owns one listening port; `make` builds a fresh server each time it (re)opens. */
export class SwitchableListener {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  #port: number;
  #pending: Promise<void> = Promise.resolve();
  /** Once it has listened, the port is ours: a reopen waits out EADDRINUSE; a first open fails fast. */
  #opened = false;
  readonly #make: () => Server;
  readonly host: string;

  // No parameter properties: Node's type stripping (npm run sim under node) cannot erase them.
  constructor(make: () => Server, host: string, port: number) {
    this.#make = make;
    this.host = host;
    this.#port = port;
  }

  get port(): number {
    return this.#port;
  }

  /** Resolves when the last open/close request has taken effect. */
  settled(): Promise<void> {
    return this.#pending;
  }

  open(): Promise<void> {
    if (this.#server) return this.#pending;
    const server = this.#make();
    this.#server = server;
    server.on("connection", (s: Socket) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
    this.#pending = this.#pending.catch(() => undefined).then(() => this.#listen(server, this.#opened ? REBIND_TRIES : 1));
    return this.#pending;
  }

  // Reopening a fixed port can meet EADDRINUSE if, while it was down, an outgoing connection happened to
  // take it as its local port; that clears when the connection ends, so try again for a while.
  #listen(server: Server, tries: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#server !== server) return resolve(); // closed again before it got to listen
      const onError = (e: NodeJS.ErrnoException): void => {
        if (e.code === "EADDRINUSE" && this.#port !== 0 && tries > 1 && this.#server === server) {
          setTimeout(() => this.#listen(server, tries - 1).then(resolve, reject), REBIND_DELAY_MS);
        } else reject(e);
      };
      server.once("error", onError);
      server.listen(this.#port, this.host, () => {
        server.off("error", onError);
        const addr = server.address();
        if (addr && typeof addr === "object") this.#port = addr.port;
        this.#opened = true;
        resolve();
      });
    });
  }

  /** Stops listening at once and destroys every open connection. */
  close(): Promise<void> {
    const server = this.#server;
    if (!server) return this.#pending;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    this.#pending = this.#pending.catch(() => undefined).then(() => closed);
    return this.#pending;
  }

  /** Opens or closes to match `down`. */
  setDown(down: boolean): Promise<void> {
    return down ? this.close() : this.open();
  }
}

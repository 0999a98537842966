/**
 * Batches outgoing PDUs: every PDU written in the same tick is encoded straight into one buffer
 * and sent with a single socket write at the end of the tick (a microtask). A short write keeps
 * the unsent tail and resumes on drain; new PDUs keep batching behind it meanwhile.
 */
import { encodeInto, pduLength } from "./codec.ts";
import type { Pdu } from "./pdu.ts";
import type { SmppSocket } from "./transport.ts";

const INITIAL_CAPACITY = 16 * 1024;

export class PduWriter {
  readonly #socket: SmppSocket;
  #buf = new Uint8Array(INITIAL_CAPACITY);
  #len = 0;
  /** Unsent tail of an earlier batch, waiting for drain. Never aliases #buf. */
  #tail: Uint8Array | undefined;
  #scheduled = false;
  #ended = false;
  readonly #flush = () => this.flush();
  readonly #maxBacklog: number;
  readonly #onOverflow: () => void;

  /**
   * `onOverflow` is called (once the socket has refused data) when more than `maxBacklog` octets wait for a
   * peer that does not read: the caller closes the connection rather than buffer without bound.
   */
  constructor(socket: SmppSocket, maxBacklog = Infinity, onOverflow: () => void = () => undefined) {
    this.#socket = socket;
    this.#maxBacklog = maxBacklog;
    this.#onOverflow = onOverflow;
  }

  /** Octets queued and not yet accepted by the socket. */
  get backlog(): number {
    return this.#len + (this.#tail?.length ?? 0);
  }

  /**
   * Encodes `pdu` into the current batch. Throws RangeError (before queuing anything) if the
   * PDU cannot be encoded; writes after end() are dropped.
   */
  write(pdu: Pdu): void {
    if (this.#ended) return;
    const n = pduLength(pdu);
    if (this.#len + n > this.#buf.length) this.#grow(this.#len + n);
    encodeInto(pdu, this.#buf, this.#len, n);
    this.#len += n;
    if (this.#tail !== undefined && this.backlog > this.#maxBacklog) return this.#onOverflow();
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Sends the current batch now (normally called by the end-of-tick microtask). */
  flush(): void {
    this.#scheduled = false;
    if (this.#ended || this.#len === 0 || this.#tail !== undefined) return;
    const data = this.#buf.subarray(0, this.#len);
    const written = this.#socket.write(data);
    if (written === this.#len) {
      this.#len = 0;
      return;
    }
    // The tail aliases #buf, so later PDUs go to a fresh buffer instead of overwriting it.
    this.#tail = data.subarray(Math.max(0, written));
    this.#buf = new Uint8Array(Math.max(INITIAL_CAPACITY, this.#buf.length));
    this.#len = 0;
    if (this.#tail.length > this.#maxBacklog) this.#onOverflow();
  }

  /** Call on the socket's drain event: resends the tail, then whatever batched behind it. */
  drain(): void {
    if (this.#ended) return;
    while (this.#tail !== undefined) {
      const written = this.#socket.write(this.#tail);
      if (written < this.#tail.length) {
        this.#tail = this.#tail.subarray(Math.max(0, written));
        return;
      }
      this.#tail = undefined;
    }
    if (this.#len > 0) this.flush();
  }

  /** Pushes out what the socket takes now, then half-closes it. Later writes are dropped. */
  end(): void {
    if (this.#ended) return;
    if (this.#tail === undefined) this.flush();
    this.#ended = true;
    this.#socket.end();
  }

  #grow(need: number): void {
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len), 0);
    this.#buf = next;
  }
}

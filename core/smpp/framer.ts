/**
 * Cuts a TCP byte stream into SMPP frames using the 4-octet command_length prefix.
 * Whole frames inside a chunk are handed out as subarrays (no copy); only a frame split across
 * chunks is copied, once, into a buffer of exactly its size. Buffers handed out are never reused,
 * so decoded subarrays stay valid after the callback returns.
 */
import { readU32 } from "./wire.ts";

/** Default largest accepted command_length (64 KiB). */
export const DEFAULT_MAX_PDU_LENGTH = 64 * 1024;
const MIN_LENGTH = 16;

/** The stream carried an impossible command_length; the session cannot resynchronise. */
export interface FrameError {
  kind: "bad_length";
  length: number;
  /** command_id and sequence_number of the bad frame when its header was already received. */
  commandId: number | undefined;
  sequence: number | undefined;
}

/** Incremental framer. Not thread-safe, not re-entrant; one per connection. */
export class Framer {
  readonly #max: number;
  /** First octets of a frame whose length prefix is not complete yet (< 4 octets). */
  readonly #head = new Uint8Array(4);
  #headFill = 0;
  /** The frame being assembled across chunks, sized to its command_length. */
  #partial: Uint8Array | undefined;
  #partialFill = 0;
  #error: FrameError | undefined;

  constructor(maxPduLength = DEFAULT_MAX_PDU_LENGTH) {
    this.#max = maxPduLength;
  }

  /** Octets received but not yet part of a handed-out frame. */
  get buffered(): number {
    return this.#partial ? this.#partialFill : this.#headFill;
  }

  /**
   * Feeds a chunk; calls `onFrame` for every complete frame, in order. Returns a FrameError
   * (and keeps returning it for later chunks) once a bad length is seen, else undefined.
   * Exceptions thrown by `onFrame` propagate; the framer state stays consistent.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): FrameError | undefined {
    if (this.#error) return this.#error;
    let o = 0;
    const n = chunk.length;
    if (this.#headFill > 0) {
      // Complete the length prefix, then carry on as a partial frame holding those 4 octets.
      const take = Math.min(4 - this.#headFill, n);
      this.#head.set(chunk.subarray(0, take), this.#headFill);
      this.#headFill += take;
      o = take;
      if (this.#headFill < 4) return undefined;
      const length = readU32(this.#head, 0);
      this.#headFill = 0;
      if (length < MIN_LENGTH || length > this.#max) return this.#fail(length, chunk, o);
      this.#partial = new Uint8Array(length);
      this.#partial.set(this.#head, 0);
      this.#partialFill = 4;
    }
    if (this.#partial) {
      const p = this.#partial;
      const take = Math.min(p.length - this.#partialFill, n - o);
      p.set(chunk.subarray(o, o + take), this.#partialFill);
      this.#partialFill += take;
      o += take;
      if (this.#partialFill < p.length) return undefined;
      this.#partial = undefined;
      this.#partialFill = 0;
      onFrame(p);
    }
    while (n - o >= 4) {
      const length = readU32(chunk, o);
      if (length < MIN_LENGTH || length > this.#max) return this.#fail(length, chunk, o + 4);
      if (n - o >= length) {
        onFrame(chunk.subarray(o, o + length));
        o += length;
      } else {
        const p = new Uint8Array(length);
        p.set(chunk.subarray(o), 0);
        this.#partial = p;
        this.#partialFill = n - o;
        return undefined;
      }
    }
    if (o < n) {
      this.#head.set(chunk.subarray(o), 0);
      this.#headFill = n - o;
    }
    return undefined;
  }

  /** `idAt`: where the bad frame's command_id starts in `chunk` (right after its length). */
  #fail(length: number, chunk: Uint8Array, idAt: number): FrameError {
    // The sequence is only used to address the generic_nack; read it if it already arrived.
    const haveHeader = chunk.length - idAt >= 12;
    this.#error = {
      kind: "bad_length",
      length,
      commandId: haveHeader ? readU32(chunk, idAt) : undefined,
      sequence: haveHeader ? readU32(chunk, idAt + 8) : undefined,
    };
    this.#partial = undefined;
    this.#headFill = 0;
    return this.#error;
  }
}

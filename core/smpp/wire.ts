/**
 * Byte-level helpers shared by the codec: big-endian integers and SMPP C-octet strings.
 * Manual shifts instead of a DataView per PDU: no allocation, and frames may be subarrays.
 */

/** Reads an unsigned 32-bit big-endian integer. Caller guarantees 4 bytes are there. */
export function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Reads an unsigned 16-bit big-endian integer. Caller guarantees 2 bytes are there. */
export function readU16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

/**
 * Writes `s` as a C-octet string (one byte per char, then NUL) and returns the new offset.
 * SMPP C-strings are ASCII; a char above 0xFF or a NUL inside would corrupt the frame, so it
 * becomes '?' rather than silently shifting every later field.
 */
export function writeCString(b: Uint8Array, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[o++] = c === 0 || c > 0xff ? 0x3f : c;
  }
  b[o] = 0;
  return o + 1;
}

/** Latin-1 decode of b[start, end): short strings by concatenation, longer in one call. */
export function latin1(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return "";
  if (n <= 16) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

/** Index of the first NUL in b[start, end), or -1. */
export function indexOfNul(b: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (b[i] === 0) return i;
  return -1;
}

/** The chunks one after another in a new array, after `prefix` if given; one chunk and no prefix: that chunk. */
export function concatBytes(chunks: readonly Uint8Array[], prefix?: Uint8Array): Uint8Array {
  if (chunks.length === 1 && !prefix) return chunks[0]!;
  let o = prefix?.length ?? 0;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, o));
  if (prefix) out.set(prefix);
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

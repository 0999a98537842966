/** Bytes as lower-case hex (ids, digests, signatures): one helper for every runtime. */
export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

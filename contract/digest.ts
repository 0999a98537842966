/** SHA-256 of a string's UTF-8 bytes, through WebCrypto (every runtime has it). */
const enc = new TextEncoder();

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(text)));
}

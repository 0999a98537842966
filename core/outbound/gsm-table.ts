/**
 * The GSM 03.38 table, from the npm `smpp` package (already a dependency: a maintained charset table beats a
 * hand-copied one; only the table is used, the wire codec is ours). Imported statically so that
 * `bun build --compile` bundles it: a runtime `createRequire(...)("smpp")` is not followed by the bundler and
 * the compiled binary failed at start with "Cannot find package 'smpp'".
 */
// @ts-expect-error: the package ships no types (sim/smpp.d.ts types its other parts for the simulator)
import defs from "smpp/lib/defs.js";

export interface Gsm0338 {
  /** True when every character of `s` is in GSM 03.38 (with its extension table). */
  match(s: string): boolean;
  /** One septet per octet, unpacked, as SMPP carries it. */
  encode(s: string): Uint8Array;
  decode(b: Uint8Array): string;
}

export const GSM_0338: Gsm0338 = (defs as { encodings: { ASCII: Gsm0338 } }).encodings.ASCII;

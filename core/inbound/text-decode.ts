/**
 * short_message bytes → text, by data_coding as Genesys' table defines it (not the usual SMPP table:
 * 0 is UTF-8 unless the account says otherwise, 2 is GSM 03.38). WHATWG TextDecoder covers every charset
 * in the table on Bun; GSM 03.38 uses the `smpp` package's table.
 */
import { GSM_0338 } from "../outbound/gsm-table.ts";

const LABELS: Record<number, string> = {
  0: "utf-8",
  1: "us-ascii",
  3: "iso-8859-1",
  5: "shift_jis", // JIS X 0201 is its single-byte half
  6: "iso-8859-5",
  7: "iso-8859-8",
  8: "utf-16be",
  10: "iso-2022-jp",
  13: "euc-jp", // JIS X 0212 travels inside EUC-JP
  14: "euc-kr",
};

const decoders = new Map<string, TextDecoder>();

/** Decodes `bytes`; an unknown data_coding is read as Genesys' default (UTF-8), never as an error. */
export function decodeText(bytes: Uint8Array, dataCoding: number): string {
  if (dataCoding === 2) return GSM_0338.decode(bytes);
  const label = LABELS[dataCoding] ?? "utf-8";
  let d = decoders.get(label);
  if (!d) decoders.set(label, (d = new TextDecoder(label as ConstructorParameters<typeof TextDecoder>[0])));
  return d.decode(bytes);
}

/**
 * Codec micro-benchmark: encode + decode of submit_sm and deliver_sm (with receipt TLVs), ours
 * against the npm `smpp` package used the ordinary way (new PDU(...).toBuffer(), PDU.fromBuffer).
 * Usage: npx bun test/bench/smpp-codec.ts
 */
import { createRequire } from "node:module";
import { decodePdu, encodePdu } from "../../core/smpp/codec.ts";
import { smFields, type Pdu } from "../../core/smpp/pdu.ts";

interface PkgPdu { toBuffer(): Buffer }
const smpp = createRequire(import.meta.url)("smpp") as {
  PDU: { new (command: string, options: Record<string, unknown>): PkgPdu; fromBuffer(b: Buffer): unknown };
};

const text = new TextEncoder().encode("Your code is 123456. It expires in 10 minutes.");
const submit: Pdu = { command: "submit_sm", status: 0, sequence: 12345, ...smFields({ sourceAddr: "Genesys", destinationAddr: "4512345678", registeredDelivery: 1, shortMessage: text }) };
const deliver: Pdu = {
  command: "deliver_sm", status: 0, sequence: 54321,
  ...smFields({ sourceAddr: "4512345678", destinationAddr: "Genesys", esmClass: 4, shortMessage: new TextEncoder().encode("id:0a1b2c3d sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:Your code"), tlvs: { receiptedMessageId: "0a1b2c3d", messageState: 2, networkErrorCode: Uint8Array.of(3, 0, 0) } }),
};
const pkgOptions = {
  submit_sm: { sequence_number: 12345, source_addr: "Genesys", destination_addr: "4512345678", registered_delivery: 1, data_coding: 0, short_message: Buffer.from(text) },
  deliver_sm: { sequence_number: 54321, source_addr: "4512345678", destination_addr: "Genesys", esm_class: 4, data_coding: 0, short_message: Buffer.from((deliver as { shortMessage: Uint8Array }).shortMessage), receipted_message_id: "0a1b2c3d", message_state: 2, network_error_code: Buffer.from([3, 0, 0]) },
};

function bench(fn: () => unknown, ms = 700): number {
  for (let i = 0; i < 20_000; i++) fn(); // warm-up
  let ops = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 2_000; i++) fn();
    ops += 2_000;
    t = performance.now();
  }
  return (ops / (t - t0)) * 1000;
}

const rows: string[][] = [["pdu", "operation", "ours ops/s", "smpp ops/s", "ratio"]];
for (const [name, pdu] of [["submit_sm", submit], ["deliver_sm", deliver]] as const) {
  const ourBytes = encodePdu(pdu);
  const theirBytes = new smpp.PDU(name, { ...pkgOptions[name] }).toBuffer();
  const cases: [string, () => unknown, () => unknown][] = [
    ["encode", () => encodePdu(pdu), () => new smpp.PDU(name, { ...pkgOptions[name] }).toBuffer()],
    ["decode", () => decodePdu(ourBytes), () => smpp.PDU.fromBuffer(theirBytes)],
    ["encode+decode", () => decodePdu(encodePdu(pdu)), () => smpp.PDU.fromBuffer(new smpp.PDU(name, { ...pkgOptions[name] }).toBuffer())],
  ];
  for (const [op, a, b] of cases) {
    const x = bench(a);
    const y = bench(b);
    rows.push([name, op, Math.round(x).toLocaleString("en-US"), Math.round(y).toLocaleString("en-US"), `${(x / y).toFixed(1)}x`]);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
console.log(`\nbun ${Bun.version}`);

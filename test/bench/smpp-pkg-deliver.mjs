// The npm `smpp` package as a receiver, for the inbound benchmark (runs on Node and on Bun): binds `binds`
// transceivers and answers every deliver_sm with deliver_sm_resp at once (ack only, nothing stored): the
// least a user of that package would do. The blaster (smpp-blaster.ts) measures; the bench kills this.
// Usage: node test/bench/smpp-pkg-deliver.mjs <port> <binds>
import smpp from "smpp";

const [port, binds] = process.argv.slice(2).map(Number);
for (let i = 0; i < binds; i++) {
  const s = smpp.connect({ host: "127.0.0.1", port }, () => {
    // The handler goes first: the SMSC starts delivering right after bind_resp.
    s.on("deliver_sm", (pdu) => s.send(pdu.response()));
    s.on("enquire_link", (pdu) => s.send(pdu.response()));
    s.bind_transceiver({ system_id: "bench", password: "pw" }, (pdu) => {
      if (pdu.command_status !== 0) process.exit(3);
    });
  });
  s.on("error", () => process.exit(4));
}

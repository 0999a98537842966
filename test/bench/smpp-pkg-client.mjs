// The npm `smpp` package's client under load, for the benchmark (runs on Node and on Bun).
// It has no window of its own; we keep `window` submit_sm outstanding per session by callback,
// which is as much pipelining as its API allows. Prints one JSON line with the figures.
// Usage: node test/bench/smpp-pkg-client.mjs <port> <binds> <window> <msgs>
import smpp from "smpp";

const [port, binds, window, total] = process.argv.slice(2).map(Number);
const perSession = Math.ceil(total / binds);
const latencies = new Float64Array(perSession * binds);
let recorded = 0;
let errors = 0;

function bind() {
  return new Promise((resolve, reject) => {
    const s = smpp.connect({ host: "127.0.0.1", port }, () => {
      s.bind_transceiver({ system_id: "bench", password: "pw" }, (pdu) => (pdu.command_status === 0 ? resolve(s) : reject(new Error("bind"))));
    });
    s.on("error", reject);
  });
}

function pump(s, count) {
  return new Promise((resolve) => {
    let sent = 0;
    let done = 0;
    const fire = () => {
      const t0 = performance.now();
      sent++;
      s.submit_sm({ source_addr: "Genesys", destination_addr: "4512345678", registered_delivery: 1, short_message: "benchmark message 01" }, (pdu) => {
        latencies[recorded++] = performance.now() - t0;
        if (pdu.command_status !== 0) errors++;
        if (++done === count) resolve();
        else if (sent < count) fire();
      });
    };
    for (let i = 0; i < Math.min(window, count); i++) fire();
  });
}

const sessions = await Promise.all(Array.from({ length: binds }, bind));
await Promise.all(sessions.map((s) => pump(s, Math.min(2000, perSession)))); // warm-up
recorded = 0;
const t0 = performance.now();
await Promise.all(sessions.map((s) => pump(s, perSession)));
const seconds = (performance.now() - t0) / 1000;
const sorted = latencies.subarray(0, recorded).sort();
console.log(JSON.stringify({ msgs: recorded, seconds, errors, p50: sorted[Math.floor(recorded * 0.5)], p99: sorted[Math.floor(recorded * 0.99)] }));
for (const s of sessions) s.destroy();
process.exit(0);

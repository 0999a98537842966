/**
 * A node that floods deliver_sm (each a distinct MO) as fast as its socket takes them, never waiting for a
 * deliver_sm_resp. The core must window them (reading pauses), answer every one it read, and store every one
 * it acknowledged: the soak's audit checks `ackedMoTexts` against the stored events.
 */
import { Cmd, deliverSm, hostilePeer, submitDestination, submitResp, type HostilePeer, type PeerConn } from "../../core/helpers/raw-smsc.ts";
import type { SoakScenario } from "../soak-scenario.ts";

let peer: HostilePeer | undefined;
let stopped = false;
let sent = 0;
const texts = new Map<number, string>(); // sequence → text, until answered
const acked = new Set<string>();
let refused = 0;
let ids = 0;
const taken = new Set<string>();
const run = `${Date.now()}`;

function flood(c: PeerConn): void {
  if (stopped || c.socket.destroyed) return;
  const chunk: Buffer[] = [];
  for (let i = 0; i < 500; i++) {
    const seq = ++sent;
    const text = `flood ${run} ${seq}`;
    texts.set(seq, text);
    chunk.push(deliverSm(seq, `4599${String(seq % 1_000_000).padStart(6, "0")}`, "12345", text));
  }
  c.socket.write(Buffer.concat(chunk), () => setImmediate(() => flood(c)));
}

export const scenario: SoakScenario = {
  name: "deliver-flood",
  async setup() {
    peer = await hostilePeer({
      onBound: (c) => flood(c),
      onPdu: (c, p) => {
        if (p.command === Cmd.submit_sm) {
          // It answers MTs like an SMSC: the flood is inbound only.
          taken.add(submitDestination(p.body));
          return c.write(submitResp(p.sequence, `fd${(ids++).toString(16)}`));
        }
        if (p.command !== Cmd.deliver_sm_resp) return;
        const text = texts.get(p.sequence);
        texts.delete(p.sequence);
        if (text === undefined) return;
        if (p.status === 0) acked.add(text);
        else refused++;
      },
    });
    return { nodes: [{ name: "flood.bos", site: "bos", host: "127.0.0.1", port: peer.port, tls: false }] };
  },
  async run({ signal }) {
    await new Promise<void>((r) => signal.addEventListener("abort", () => r()));
    stopped = true;
  },
  ackedMoTexts: () => acked,
  acceptedTo: () => taken,
  report: () => ({ "deliver_sm sent": sent, acknowledged: acked.size, "answered with an error": refused, "never answered": texts.size, binds: peer?.stats.binds ?? 0 }),
  stop: async () => peer?.close(),
};

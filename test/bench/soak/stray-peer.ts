/**
 * A peer that binds and answers submits, but between them sends what an SMSC must not: unknown commands,
 * responses to requests never sent, and once a minute a PDU with an impossible command_length (which closes
 * that bind; the 30 s rebind floor must hold). The simulator's binds must not notice.
 */
import { Cmd, hostilePeer, pdu, submitDestination, submitResp, type HostilePeer, type PeerConn } from "../../core/helpers/raw-smsc.ts";
import { pause, type SoakScenario } from "../soak-scenario.ts";

let peer: HostilePeer | undefined;
const live = new Set<PeerConn>();
const accepted = new Set<string>();
const binds: number[] = [];
let sent = 0;
let ids = 0;

export const scenario: SoakScenario = {
  name: "stray-peer",
  async setup() {
    peer = await hostilePeer({
      onBound: (c) => {
        live.add(c);
        binds.push(Date.now());
      },
      onClose: (c) => live.delete(c),
      onPdu: (c, p) => {
        if (p.command !== Cmd.submit_sm) return;
        accepted.add(submitDestination(p.body));
        c.write(submitResp(p.sequence, `ff${(ids++).toString(16)}`));
      },
    });
    return { nodes: [{ name: "stray.dc3", site: "dc3", host: "127.0.0.1", port: peer.port, tls: false }] };
  },
  async run({ signal }) {
    let tick = 0;
    while (!signal.aborted) {
      await pause(1_000, signal);
      tick++;
      for (const c of live) {
        c.write(pdu(0x00000777, 0, 900_000 + tick)); // unknown command: the core nacks it
        c.write(pdu(Cmd.submit_sm_resp, 0, 1_900_000 + tick, Buffer.from("stray\0"))); // a response nobody asked for
        if (tick % 60 === 0) c.write(Buffer.from([0, 0, 0, 3, 0, 0, 0, 4])); // command_length 3
        sent += 2;
      }
    }
  },
  acceptedTo: () => accepted,
  report: () => ({ "stray PDUs": sent, binds: binds.length, "MTs taken": accepted.size }),
  failures: () => {
    const short = binds.slice(1).filter((t, i) => t - binds[i]! < 29_000).length;
    return short ? [`${short} rebinds sooner than the 30 s floor`] : [];
  },
  stop: async () => peer?.close(),
};

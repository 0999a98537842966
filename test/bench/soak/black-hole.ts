/**
 * A node whose link stays up (it answers enquire_link and drips a byte a second of a PDU it never finishes)
 * but that answers no submit_sm. The core must drop it after a few submit timeouts and rebind it no sooner
 * than the floor: few MTs may be `unknown` because of it, none lost silently.
 */
import { Cmd, hostilePeer, type HostilePeer, type PeerConn } from "../../core/helpers/raw-smsc.ts";
import { pause, type SoakScenario } from "../soak-scenario.ts";

let peer: HostilePeer | undefined;
const live = new Set<PeerConn>();
const binds: number[] = [];
let swallowed = 0;

export const scenario: SoakScenario = {
  name: "black-hole",
  async setup() {
    peer = await hostilePeer({
      onBound: (c) => {
        live.add(c);
        binds.push(Date.now());
        c.write(Buffer.from([0, 0, 0x10])); // the start of a PDU that never comes
      },
      onClose: (c) => live.delete(c),
      onPdu: (_c, p) => {
        if (p.command === Cmd.submit_sm) swallowed++;
      },
    });
    return { nodes: [{ name: "hole.bos", site: "bos", host: "127.0.0.1", port: peer.port, tls: false }] };
  },
  async run({ signal }) {
    while (!signal.aborted) {
      await pause(1_000, signal);
      for (const c of live) c.write(Buffer.from([0])); // one byte a second: never a whole PDU
    }
  },
  report: () => ({ "submits swallowed": swallowed, binds: binds.length }),
  failures: () => {
    const short = binds.slice(1).filter((t, i) => t - binds[i]! < 29_000).length;
    return short ? [`${short} rebinds sooner than the 30 s floor`] : [];
  },
  stop: async () => peer?.close(),
};

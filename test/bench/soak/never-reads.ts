/**
 * A node that, once bound, never reads its socket again and sends enquire_link without pause: the core's
 * answers pile up unread. The core must close that bind at its backlog limit (binds.maxBacklogBytes), not grow.
 */
import { Cmd, hostilePeer, pdu, type HostilePeer } from "../../core/helpers/raw-smsc.ts";
import type { SoakScenario } from "../soak-scenario.ts";

let peer: HostilePeer | undefined;
let stopped = false;
let sent = 0;
const block = Buffer.concat(Array.from({ length: 4096 }, (_, i) => pdu(Cmd.enquire_link, 0, i + 10)));

export const scenario: SoakScenario = {
  name: "never-reads",
  async setup() {
    peer = await hostilePeer({
      onBound: (c) => {
        c.socket.pause();
        const flood = () => {
          if (stopped || c.socket.destroyed) return;
          sent += 4096;
          c.socket.write(block, () => setImmediate(flood));
        };
        flood();
      },
    });
    return { nodes: [{ name: "deaf.dc3", site: "dc3", host: "127.0.0.1", port: peer.port, tls: false }] };
  },
  async run({ signal }) {
    await new Promise<void>((r) => signal.addEventListener("abort", () => r()));
    stopped = true;
  },
  report: () => ({ "enquire_link sent": sent, binds: peer?.stats.binds ?? 0, "connections closed by the core": (peer?.stats.connections ?? 0) - (peer?.stats.open ?? 0) }),
  stop: async () => peer?.close(),
};

/**
 * A connection flood on the core's HTTP port, over and over: every 20 s, 1,500 keep-alive connections (each
 * one GET /healthz, then held idle) at a core run under a 1,024-file limit, held 10 s, then let go. The core
 * closes idle connections after http.idleTimeoutS (5 s here); /healthz must answer within 15 s of each flood
 * starting, and the process must stay up (the soak run sees it exit otherwise).
 */
import { answersWithin, connectionFlood } from "../../flood.ts";
import { pause, type SoakScenario } from "../soak-scenario.ts";

const CONNECTIONS = 1_500;
let rounds = 0;
let answered = 0;
let worstMs = 0;
const misses: string[] = [];

export const scenario: SoakScenario = {
  name: "http-flood",
  setup: () => ({ fileLimit: 1_024, coreConfig: (raw) => { raw.http = { ...raw.http, idleTimeoutS: 5 }; } }),
  async run({ coreUrl, signal, log }) {
    const port = Number(new URL(coreUrl).port);
    while (!signal.aborted) {
      await pause(10_000, signal);
      if (signal.aborted) break;
      rounds++;
      const flood = await connectionFlood(port, CONNECTIONS, { send: "GET /healthz HTTP/1.1\r\nHost: core\r\n\r\n", settleMs: 500 });
      try {
        const ms = await answersWithin(`${coreUrl}/healthz`, 15_000);
        answered++;
        worstMs = Math.max(worstMs, ms);
      } catch (e) {
        misses.push(`round ${rounds}: ${(e as Error).message}`);
      }
      await pause(10_000, signal);
      log(`round ${rounds}: ${flood.connected()} connected, ${flood.closedByPeer()} closed by the core`);
      flood.close();
    }
  },
  report: () => ({ "flood rounds": rounds, "healthz answered": answered, "worst healthz ms": worstMs }),
  failures: () => misses,
};

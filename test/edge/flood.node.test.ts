// A connection flood against the real Deno edge at a lowered file limit (prlimit --nofile=256:256): 400
// half-open connections (never a byte), more than the process has files for. Deno.serve's accept fails with
// EMFILE; the edge must not exit, and must answer again right after the flood ends.
import { describe, expect, it } from "vitest";
import { answersWithin, connectionFlood } from "../flood.ts";
import { edgeEnv, startDenoEdge } from "./harness.ts";

describe("Deno edge under a connection flood", () => {
  it("400 half-open connections at a 256-file limit: the process stays up and answers right after", async () => {
    const env = await edgeEnv({ dc3: "http://127.0.0.1:9/httpapi/receiver", bos: "http://127.0.0.1:9/httpapi/receiver" }, "http://127.0.0.1:9");
    const edge = await startDenoEdge(env, { nofile: 256 });
    // Deno itself sets up a signal handler within ~500 ms of start and panics (ext/signals, an unwrap) if it
    // finds no free file then: a Deno bug this test does not cover (see notes). Once started, the edge holds.
    await new Promise((r) => setTimeout(r, 1_500));
    try {
      const port = Number(new URL(edge.url).port);
      for (let round = 0; round < 2; round++) { // twice: a restarted server survives the next flood too
        const flood = await connectionFlood(port, 400, { settleMs: 1_500 });
        expect(flood.connected()).toBeGreaterThan(200);
        expect(edge.running(), edge.logs.join("\n")).toBe(true);
        flood.close();
        expect(await answersWithin(`${edge.url}/`, 5_000)).toBeLessThan(5_000);
        expect(edge.running()).toBe(true);
      }
      expect(edge.logs.some((l) => l.includes("restarting"))).toBe(true); // the flood did exhaust the files
    } finally {
      await edge.stop();
    }
  }, 40_000);
});

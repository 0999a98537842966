/**
 * The whole gateway in one test process, on loopback: the Genesys simulator and the demo webhook receiver
 * in-process, the real core (startGateway, real SMPP sockets to the simulator, sqlite in a temp dir) served
 * on port 0, and the real edge in workerd (Miniflare) or Deno (a child process), its callbacks forwarded to
 * the core. Used by the chaos test, the chaos script and the status-page test. Bun only (the core is).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CoreConfig } from "../../core/config.ts";
import { simConfig, startSimCore, TOKEN, WEBHOOK_SECRET, type SimCore } from "../core/helpers/sim-core.ts";
import { startReceiver, type Receiver } from "../../tools/demo/receiver.ts";
import type { Endpoints } from "../../tools/demo/traffic.ts";
import { CALLBACK_SECRET, TEST_KEY, edgeEnv, startDenoEdge, startWorkerdEdge, type RunningEdge } from "../edge/harness.ts";
import { startSimulator, type SimOptions, type Simulator } from "../../sim/index.ts";

export type EdgeRuntime = "workerd" | "deno";

export interface StackOptions {
  edge: EdgeRuntime;
  sim?: SimOptions;
  binds?: Partial<CoreConfig["binds"]>;
  inbox?: Partial<CoreConfig["inbox"]>;
  /** Extra edge settings (e.g. a shorter breaker cool-down). */
  edgeEnv?: Record<string, string>;
}

export interface Stack {
  sim: Simulator;
  receiver: Receiver;
  core: SimCore;
  edge: RunningEdge;
  endpoints: Endpoints;
  /** Stops everything started, in reverse order; safe to call twice and after a failed start. */
  stop(): Promise<void>;
}

/** Starts the stack; on a failed start, stops what was started and rethrows. */
export async function startStack(o: StackOptions): Promise<Stack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const dir = mkdtempSync(join(tmpdir(), "gsh-e2e-"));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const sim = await startSimulator({ enquireLinkMs: 0, ...o.sim });
    stops.push(() => sim.stop());
    const receiver = startReceiver({ port: 0, secret: WEBHOOK_SECRET });
    stops.push(() => receiver.stop());
    const cfg = simConfig(sim, { storeUrl: `sqlite://${join(dir, "core.sqlite")}`, webhookUrl: receiver.url, binds: o.binds ?? {}, inbox: o.inbox ?? {} });
    const core = await startSimCore(cfg);
    stops.push(() => core.stop());
    // The simulator's account is demo/demo, a committed dev credential: the edge refuses it unless in development mode.
    const env = await edgeEnv({ dc3: sim.sites.dc3.httpUrl, bos: sim.sites.bos.httpUrl }, core.url, {
      EDGE_ENV: "development", GENESYS_LOGIN: "demo", GENESYS_PASSWORD: "demo", CORE_TOKEN: TOKEN, ...o.edgeEnv,
    });
    const edge = o.edge === "deno" ? await startDenoEdge(env) : await startWorkerdEdge(env);
    stops.push(() => edge.stop());
    sim.configure({ callbackUrl: `${edge.url}/v1/genesys/callback/${CALLBACK_SECRET}` });
    return {
      sim, receiver, core, edge, stop,
      endpoints: { edgeUrl: edge.url, edgeKey: TEST_KEY, coreUrl: core.url, coreToken: TOKEN, controlUrl: sim.controlUrl },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
